namespace LoadBench.Target.Stats;

/// <summary>
/// One feed request in progress, tracked by <see cref="FeedConnections"/> and found in the request's features,
/// so a streaming transport's send loop can honour a stall (<see cref="WhileStalledAsync"/>).
/// </summary>
public sealed class FeedConnection : IDisposable
{
    private readonly FeedConnections _owner;
    private readonly HttpContext _context;
    private readonly Lock _lock = new();
    private bool _ended;
    private Task? _stall;

    internal FeedConnection(FeedConnections owner, HttpContext context, bool streaming, long id)
    {
        _owner = owner;
        _context = context;
        IsStreaming = streaming;
        Id = id;
    }

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
    /// A request that ends while an abort runs must not be aborted: its HttpContext is disposed, and Kestrel
    /// reuses it for the connection's next request (which may not even be a feed request). Abort and end take
    /// the same lock, so an abort only ever reaches a request still in progress.
    /// </summary>
    internal bool TryAbort()
    {
        lock (_lock)
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
        lock (_lock)
        {
            _ended = true;
        }

        _owner.Remove(this);
    }
}
