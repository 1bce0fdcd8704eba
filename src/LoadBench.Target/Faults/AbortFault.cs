namespace LoadBench.Target.Faults;

/// <summary>
/// One abort fault: on one timer for the whole target (never one per connection), every second from its start
/// it aborts <c>fraction</c> of the feed connections open at that moment (TCP connections that carried a feed
/// request, idle keep-alive pollers included: <see cref="Stats.FeedSockets"/>), chosen at random, until its
/// duration is over — ticks at 0 s, 1 s, … before the end. The whole number ⌊fraction × open⌋ is aborted and the
/// remainder carried to the next tick, so 1 % of 50 connections aborts one every other second instead of none.
/// </summary>
internal sealed class AbortFault : IDisposable
{
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(1);

    private readonly Stats.FeedSockets _connections;
    private readonly double _fraction;
    private readonly Action<AbortFault> _ended;
    private readonly Lock _lock = new();
    private readonly ITimer _timer;
    private int _ticksLeft;
    private double _carry;

    public AbortFault(Stats.FeedSockets connections, double fraction, TimeSpan duration, TimeProvider time, Action<AbortFault> ended)
    {
        _connections = connections;
        _fraction = fraction;
        _ended = ended;
        _ticksLeft = (int)Math.Ceiling(duration / Period);
        _timer = time.CreateTimer(_ => Tick(), null, Timeout.InfiniteTimeSpan, Period);
        _timer.Change(TimeSpan.Zero, Period);
    }

    /// <summary>Connections this fault aborted so far.</summary>
    public int Aborted { get; private set; }

    private void Tick()
    {
        lock (_lock)
        {
            if (_ticksLeft <= 0)
            {
                return;
            }

            var due = _carry + (_fraction * _connections.Count);
            var count = (int)Math.Floor(due);
            _carry = due - count;
            Aborted += _connections.AbortRandom(count, Random.Shared);
            _ticksLeft--;
            if (_ticksLeft > 0)
            {
                return;
            }
        }

        Dispose();
        _ended(this);
    }

    public void Dispose() => _timer.Dispose();
}
