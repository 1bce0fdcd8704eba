namespace LoadBench.Engine.Transports;

/// <summary>
/// How long a client waits before reconnecting: 25 ms after the first failure, doubling up to 1 s, back to
/// the start after a success. Bounded so a recovered target is found again quickly; jittered (±50%) so a
/// thousand clients dropped at once do not come back in one burst. Waits on the injected clock.
/// </summary>
internal sealed class Backoff
{
    private static readonly TimeSpan First = TimeSpan.FromMilliseconds(25);
    private static readonly TimeSpan Max = TimeSpan.FromSeconds(1);

    private readonly TimeProvider _timeProvider;
    private int _failures;

    public Backoff(TimeProvider timeProvider) => _timeProvider = timeProvider;

    public void Reset() => _failures = 0;

    public Task DelayAsync(CancellationToken cancellationToken)
    {
        var step = Math.Min(_failures, 6);
        _failures++;
        var nominal = TimeSpan.FromTicks(Math.Min(First.Ticks << step, Max.Ticks));
#pragma warning disable CA5394 // jitter, not security
        var jittered = nominal * (0.5 + Random.Shared.NextDouble());
#pragma warning restore CA5394
        return Task.Delay(jittered, _timeProvider, cancellationToken);
    }
}
