namespace LoadBench.Target.SlowConsumers;

/// <summary>
/// One SSE or WebSocket subscriber as the slow-consumer sweep sees it: where its follow loop started and
/// the last seq it handed to the socket (<see cref="Feed.FeedLog.FollowAsync(long, string?, FeedFollower?, CancellationToken)"/>
/// writes it, one plain store per event), and how to abort its connection. Small on purpose: every open
/// subscriber holds one for its whole life, and no timer of its own (<see cref="SlowConsumerSweep"/> looks at all
/// of them from one timer).
/// </summary>
public sealed class FeedFollower : IDisposable
{
    private const int Active = 0;
    private const int Aborting = 1;
    private const int Ended = 2;

    private readonly HttpContext? _context;
    private readonly SlowConsumerSweep? _owner;
    private long _cursor;
    private long _startTimestamp;
    private int _state;

    internal FeedFollower(HttpContext? context, SlowConsumerSweep? owner)
    {
        _context = context;
        _owner = owner;
    }

    /// <summary>The last seq handed to the transport (written by the follow loop, read by the sweep).</summary>
    internal long Cursor
    {
        get => Volatile.Read(ref _cursor);
        set => Volatile.Write(ref _cursor, value);
    }

    /// <summary>The latest seq when the follow loop started: a backlog asked for on purpose (a resume, after=0) is not lag.</summary>
    internal long StartLatest { get; private set; }

    /// <summary>When the follow loop started (<see cref="TimeProvider.GetTimestamp"/>); 0 until it has.</summary>
    internal long StartTimestamp => Volatile.Read(ref _startTimestamp);

    // The sweep's own memory of this follower, touched only by the sweep's single timer callback.
    internal long CursorAtLastSweep { get; set; }

    internal bool BehindAtLastSweep { get; set; }

    internal void Start(long cursor, long latest, long timestamp)
    {
        Cursor = cursor;
        StartLatest = latest;
        Volatile.Write(ref _startTimestamp, timestamp);
    }

    /// <summary>
    /// Aborts the connection (TCP reset) unless its request already ended: an ended request's HttpContext is
    /// reused by Kestrel for the connection's next request, so abort and end exclude each other.
    /// </summary>
    internal bool TryAbort()
    {
        if (Interlocked.CompareExchange(ref _state, Aborting, Active) != Active)
        {
            return false;
        }

        _context?.Abort();
        Volatile.Write(ref _state, Ended);
        return true;
    }

    public void Dispose()
    {
        if (Interlocked.CompareExchange(ref _state, Ended, Active) == Aborting)
        {
            // The sweep is aborting this request right now: let it finish before the request may end.
            var spin = default(SpinWait);
            while (Volatile.Read(ref _state) == Aborting)
            {
                spin.SpinOnce();
            }
        }

        _owner?.Remove(this);
    }
}
