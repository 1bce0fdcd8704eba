using System.Runtime.ExceptionServices;
using System.Threading.Tasks.Sources;
using LoadBench.Target.SlowConsumers;
using LoadBench.Target.Stats;

namespace LoadBench.Target.Feed;

/// <summary>
/// One SSE or WebSocket subscriber's place in <see cref="FeedFanOut"/>: who may write to its output right now — its
/// own send loop, or a fan-out worker — and the hand-over between the two.
/// <para>
/// A caught-up subscriber's follow loop (<see cref="FeedLog.FollowAsync(long, string?, FeedFollower?, FanOutSubscription?, CancellationToken)"/>)
/// does not wait on the publish signal: it <i>parks</i> here (<see cref="WaitAsync"/>), and once its send loop has
/// flushed what it wrote (<see cref="Arm"/>), a fan-out worker writes each new event's frame straight into the
/// output and flushes it, with no wake-up, work item or state machine of the subscriber's. Only what the fast path
/// does not do — a stall, a delivery delay, gone, reset, too slow, cancellation, a failed write — hands the subscriber
/// back (the wait completes), and the follow loop and send loop do it as they always did, then park again once caught
/// up. A flush that does not complete at once (back-pressure) keeps the subscriber out of the passes until it does;
/// events published meanwhile are then the follow loop's, in one batch.
/// </para>
/// </summary>
/// <remarks>
/// States: <c>Owned</c> (the loops have the output), <c>Waiting</c> (the follow loop waits, its send loop still
/// writes or flushes), <c>Parked</c> (the fan-out may take it), <c>Delivering</c> (a fan-out worker writes),
/// <c>Flushing</c> (the fan-out's flush is under way), <c>Closed</c>. Every move is one compare-and-swap, so exactly one
/// party completes a wait, and the output has one writer at a time.
/// </remarks>
internal sealed class FanOutSubscription : IValueTaskSource, IDisposable
{
    private const int Owned = 0;
    private const int Waiting = 1;
    private const int Parked = 2;
    private const int Delivering = 3;
    private const int Flushing = 4;
    private const int Closed = 5;

    private readonly FeedFanOut _owner;
    private readonly CancellationTokenRegistration _cancelled;
    private ManualResetValueTaskSourceCore<bool> _wake = new() { RunContinuationsAsynchronously = true };
    private int _state;
    private long _cursor;
    private bool _parkedBefore;
    private ExceptionDispatchInfo? _failure;

    internal FanOutSubscription(FeedFanOut owner, IFanOutSink sink, FeedConnection? connection, CancellationToken wakeToken, CancellationToken flushToken)
    {
        _owner = owner;
        Sink = sink;
        Connection = connection;
        WakeToken = wakeToken;
        FlushToken = flushToken;
        // One registration for the subscriber's life, not one per wait: a parked subscriber is woken when its follow ends.
        _cancelled = wakeToken.UnsafeRegister(static state => ((FanOutSubscription)state!).OnCancelled(), this);
    }

    internal IFanOutSink Sink { get; }

    internal FeedConnection? Connection { get; }

    /// <summary>The follow's token: cancelled, the subscriber is handed back (its follow loop then ends).</summary>
    internal CancellationToken WakeToken { get; }

    /// <summary>The token the send loop flushes with.</summary>
    internal CancellationToken FlushToken { get; }

    /// <summary>The last seq handed to the output, by the follow loop or the fan-out.</summary>
    internal long Cursor => Volatile.Read(ref _cursor);

    internal FeedGeneration? Generation { get; private set; }

    internal FeedFollower? Follower { get; private set; }

    internal long StartLatest { get; private set; }

    internal long StartTimestamp { get; private set; }

    /// <summary>Its index in its shard's member list (kept by the shard, under its lock).</summary>
    internal int ShardIndex { get; set; } = -1;

    internal FeedFanOut.Shard? Shard { get; set; }

    /// <summary>The follow loop's start: what the fan-out needs to judge "too slow" as the loop does.</summary>
    internal void Start(FeedGeneration generation, long startLatest, long startTimestamp, FeedFollower? follower)
    {
        Generation = generation;
        StartLatest = startLatest;
        StartTimestamp = startTimestamp;
        Follower = follower;
    }

    /// <summary>Is the subscriber parked now (tests wait for it before they publish)?</summary>
    internal bool IsParked => Volatile.Read(ref _state) == Parked;

    /// <summary>
    /// The follow loop, caught up at <paramref name="cursor"/>, waits until the fan-out hands the subscriber back;
    /// then <see cref="Cursor"/> is where it is (the fan-out may have written events meanwhile), and
    /// <see cref="ThrowIfWriteFailed"/> says whether the fan-out's last write failed.
    /// </summary>
    internal ValueTask WaitAsync(long cursor)
    {
        // Woken with nothing to give the send loop (the cursor has not moved since), the follow loop parks again at once:
        // the send loop has written nothing since it armed, and it will not arm again until it gets an item.
        var idle = _parkedBefore && cursor == Volatile.Read(ref _cursor);
        _parkedBefore = true;
        Volatile.Write(ref _cursor, cursor);
        _wake.Reset();
        Volatile.Write(ref _state, idle ? Parked : Waiting);
        if (idle ? _owner.NeedsLook(this) : WakeToken.IsCancellationRequested)
        {
            TryWake(idle ? Parked : Waiting);
        }

        return new ValueTask(this, _wake.Version);
    }

    /// <summary>After a wait: the fan-out's write failed (the connection went away); thrown to the send loop as its own
    /// write's failure would be.</summary>
    internal void ThrowIfWriteFailed() => _failure?.Throw();

    /// <summary>
    /// The send loop has flushed everything it wrote: the fan-out may write from now on. A publish, restart or
    /// cancellation it may have missed while the subscriber was not yet parked wakes the follow loop to look itself.
    /// </summary>
    public void Arm()
    {
        if (Interlocked.CompareExchange(ref _state, Parked, Waiting) == Waiting && _owner.NeedsLook(this))
        {
            TryWake(Parked);
        }
    }

    /// <summary>The send loop takes the output back for a moment (a heartbeat) while its follow loop stays parked;
    /// false when a fan-out worker is writing, or the subscriber was handed back, right now.</summary>
    public bool TryReclaim() => Interlocked.CompareExchange(ref _state, Waiting, Parked) == Parked;

    /// <summary>A fan-out worker takes the parked subscriber.</summary>
    internal bool TryBeginDelivery() => Interlocked.CompareExchange(ref _state, Delivering, Parked) == Parked;

    /// <summary>The fan-out wrote events up to <paramref name="cursor"/> into the output.</summary>
    internal void Delivered(long cursor)
    {
        Volatile.Write(ref _cursor, cursor);
        if (Follower is { } follower)
        {
            follower.Cursor = cursor;
        }
    }

    /// <summary>The worker is done and the subscriber stays parked, unless its follow was cancelled or the feed restarted meanwhile.</summary>
    internal void EndDelivery()
    {
        Volatile.Write(ref _state, Parked);
        if (WakeToken.IsCancellationRequested || !ReferenceEquals(_owner.Generation, Generation))
        {
            TryWake(Parked);
        }
    }

    /// <summary>The worker hands the subscriber back to its loops: something only they do.</summary>
    internal void HandBack()
    {
        Volatile.Write(ref _state, Owned);
        _wake.SetResult(true);
    }

    /// <summary>The worker's write failed at once: handed back, and the follow loop throws it (<see cref="ThrowIfWriteFailed"/>).</summary>
    internal void HandBack(Exception failure)
    {
        _failure = ExceptionDispatchInfo.Capture(failure);
        HandBack();
    }

    /// <summary>
    /// The worker's flush did not complete at once (back-pressure): nobody writes until it has. Then the subscriber is
    /// parked again — and its follow loop woken if events came meanwhile (no pass took them) — or, if the flush failed,
    /// handed back with the failure. A flush that says the transport may send nothing more (a WebSocket whose close frame
    /// is out) leaves it parked: its follow ends with the connection.
    /// </summary>
    internal void Flush(ValueTask<bool> flush)
    {
        Volatile.Write(ref _state, Flushing);
        _ = AfterFlushAsync(flush);
    }

    private async Task AfterFlushAsync(ValueTask<bool> flush)
    {
        try
        {
            await flush;
        }
        catch (Exception e)
        {
            // The connection went away: the send loop hears of it as of its own write's failure.
            _failure = ExceptionDispatchInfo.Capture(e);
            if (Interlocked.CompareExchange(ref _state, Owned, Flushing) == Flushing)
            {
                _wake.SetResult(true);
            }

            return;
        }

        if (Interlocked.CompareExchange(ref _state, Parked, Flushing) == Flushing && _owner.NeedsLook(this))
        {
            TryWake(Parked);
        }
    }

    public void Dispose()
    {
        _cancelled.Dispose();
        var spin = default(SpinWait);
        while (true)
        {
            // A worker's delivery never blocks (a flush that does not complete at once goes on as Flushing): it ends soon.
            var state = Volatile.Read(ref _state);
            if (state != Delivering && Interlocked.CompareExchange(ref _state, Closed, state) == state)
            {
                break;
            }

            spin.SpinOnce();
        }

        FeedFanOut.Remove(this);
    }

    private void OnCancelled()
    {
        if (!TryWake(Waiting))
        {
            TryWake(Parked);
        }
    }

    private bool TryWake(int from)
    {
        if (Interlocked.CompareExchange(ref _state, Owned, from) != from)
        {
            return false;
        }

        _wake.SetResult(true);
        return true;
    }

    void IValueTaskSource.GetResult(short token) => _wake.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _wake.GetStatus(token);

    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _wake.OnCompleted(continuation, state, token, flags);
}
