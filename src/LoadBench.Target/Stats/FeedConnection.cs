namespace LoadBench.Target.Stats;

/// <summary>
/// One feed request in progress, tracked by <see cref="FeedConnections"/> and found in the request's features,
/// so a streaming transport's send loop can honour a stall (<see cref="WhileStalledAsync"/>).
/// </summary>
public sealed class FeedConnection : IDisposable
{
    private readonly FeedConnections _owner;
    private readonly HttpContext _context;
    private bool _ended;
    private Task? _stall;
    private CancellationTokenSource? _stream;

    internal FeedConnection(FeedConnections owner, HttpContext context, bool streaming, long id)
    {
        _owner = owner;
        _context = context;
        IsStreaming = streaming;
        Id = id;
    }

    /// <summary>The stream's follower, watched by the slow-consumer sweep through this registry (set by
    /// <see cref="SlowConsumers.SlowConsumerSweep.Track"/>); null for polls.</summary>
    internal SlowConsumers.FeedFollower? Follower { get; set; }

    /// <summary>Order of opening (1, 2, …): "drop the newest N" aborts the highest.</summary>
    public long Id { get; }

    /// <summary>SSE or WebSocket: a subscriber whose writes a stall can hold.</summary>
    public bool IsStreaming { get; }

    /// <summary>
    /// Completes at once unless a stall holds this subscriber's writes; then when the stall ends (or the
    /// request is cancelled). Costs a field read per event when there is no stall: no allocation.
    /// </summary>
    public ValueTask WhileStalledAsync(CancellationToken cancellationToken)
    {
        var stall = Volatile.Read(ref _stall);
        return stall is null || stall.IsCompleted ? ValueTask.CompletedTask : new ValueTask(stall.WaitAsync(cancellationToken));
    }

    /// <summary>Is a stall holding this subscriber's writes now? (A send loop flushes what it has written before it waits.)</summary>
    public bool IsStalled => Volatile.Read(ref _stall) is { IsCompleted: false };

    /// <summary>Holds this subscriber's writes until <paramref name="end"/> completes (a later stall replaces an earlier one).</summary>
    internal void Stall(Task end) => Volatile.Write(ref _stall, end);

    /// <summary>
    /// Ends a streaming request's follow when the target stops: <see cref="FeedConnections.StopStreams"/> cancels
    /// <paramref name="stream"/> then. One walk over the open requests at shutdown, instead of a registration per stream
    /// on <paramref name="stopping"/> (a callback node, 80 bytes, for the stream's whole life).
    /// </summary>
    internal void StopWith(CancellationTokenSource stream, CancellationToken stopping)
    {
        // A full fence between the write and the read: either the shutdown's walk sees this stream, or this stream sees
        // the shutdown (which is flagged before the walk starts).
        Interlocked.Exchange(ref _stream, stream);
        if (stopping.IsCancellationRequested)
        {
            StopStream();
        }
    }

    /// <summary>The target stops: the stream's follow ends (nothing when the request is not a stream, or is over).</summary>
    internal void StopStream()
    {
        try
        {
            Volatile.Read(ref _stream)?.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The stream ended meanwhile.
        }
        catch (AggregateException)
        {
            // A callback on the stream's token failed: the source is cancelled all the same, and the shutdown's walk must
            // go on to the other streams (ApplicationStopping's own Cancel did the same for its linked sources).
        }
    }

    /// <summary>
    /// A request that ends while an abort runs must not be aborted: its HttpContext is disposed, and Kestrel
    /// reuses it for the connection's next request (which may not even be a feed request). Abort and end take
    /// the same lock, so an abort only ever reaches a request still in progress. The lock is this object's monitor
    /// (nobody else locks it): a <see cref="Lock"/> of its own would be 40 bytes more per feed request (README "Tuning").
    /// </summary>
    internal bool TryAbort()
    {
        lock (this)
        {
            if (_ended)
            {
                return false;
            }

            _context.Abort();
            return true;
        }
    }

    public void Dispose()
    {
        lock (this)
        {
            _ended = true;
        }

        _owner.Remove(this);
    }
}
