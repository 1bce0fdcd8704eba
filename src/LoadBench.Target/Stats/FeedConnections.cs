using System.Collections.Concurrent;

namespace LoadBench.Target.Stats;

/// <summary>
/// The feed requests in progress, so they can be aborted — all at once ("drop connections" in the demo: the
/// class watches each transport recover), or a random share of them (the abort fault) — and the streaming
/// ones' writes stalled (the stall fault).
/// </summary>
public sealed class FeedConnections
{
    private readonly ConcurrentDictionary<FeedConnection, byte> _open = new();
    private long _opened;

    /// <summary>Tracks a feed request until the returned registration is disposed (when the request ends).</summary>
    /// <param name="context">The request.</param>
    /// <param name="streaming">SSE or WebSocket: a subscriber with a send loop that a stall can hold.</param>
    public FeedConnection Track(HttpContext context, bool streaming)
    {
        ArgumentNullException.ThrowIfNull(context);
        var connection = new FeedConnection(this, context, streaming, Interlocked.Increment(ref _opened));
        _open.TryAdd(connection, 0);
        return connection;
    }

    /// <summary>
    /// One cancellation source for a stream's follow, cancelled when the client leaves (<paramref name="requestAborted"/>)
    /// or the target stops (<paramref name="stopping"/>): linked to the request alone, and stopped by
    /// <see cref="StopStreams"/> through its <paramref name="connection"/> — one source and one callback registration
    /// per stream (README "Tuning"). Without a tracked connection, linked to both.
    /// </summary>
    internal static CancellationTokenSource StreamSource(FeedConnection? connection, CancellationToken requestAborted, CancellationToken stopping)
    {
        if (connection is null)
        {
            return CancellationTokenSource.CreateLinkedTokenSource(requestAborted, stopping);
        }

        var source = CancellationTokenSource.CreateLinkedTokenSource(requestAborted);
        connection.StopWith(source, stopping);
        return source;
    }

    /// <summary>The target stops (registered on <c>ApplicationStopping</c>): every stream's follow ends.</summary>
    public void StopStreams()
    {
        foreach (var connection in _open.Keys)
        {
            connection.StopStream();
        }
    }

    /// <summary>The feed requests in progress (for <see cref="SlowConsumers.SlowConsumerSweep"/>'s walk over their followers).</summary>
    internal IEnumerable<FeedConnection> Open => _open.Select(entry => entry.Key);

    /// <summary>How many feed requests are in progress.</summary>
    public int Count => _open.Count;

    /// <summary>Aborts every open feed connection (TCP reset, no goodbye) and says how many there were.</summary>
    public int AbortAll()
    {
        var dropped = 0;
        foreach (var connection in _open.Keys)
        {
            if (connection.TryAbort())
            {
                dropped++;
            }
        }

        return dropped;
    }

    /// <summary>
    /// Aborts <paramref name="count"/> open feed connections, the most recently opened first, and says how many
    /// it aborted (fewer when fewer are open); the rest keep being served. Newest first is a choice a test or a
    /// benchmark can rely on: the subscribers it opened first, to watch, are the ones that stay.
    /// </summary>
    public int AbortNewest(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var dropped = 0;
        foreach (var connection in _open.Keys.OrderByDescending(c => c.Id))
        {
            if (dropped >= count)
            {
                break;
            }

            if (connection.TryAbort())
            {
                dropped++;
            }
        }

        return dropped;
    }

    /// <summary>Aborts <paramref name="count"/> open feed connections chosen at random (fewer if fewer are open).</summary>
    internal int AbortRandom(int count, Random random)
    {
        var aborted = 0;
        foreach (var connection in PickRandom(_open.Keys, count, random))
        {
            if (connection.TryAbort())
            {
                aborted++;
            }
        }

        return aborted;
    }

    /// <summary>The streaming subscribers (SSE, WebSocket) in progress now.</summary>
    internal List<FeedConnection> Streaming() => [.. _open.Keys.Where(c => c.IsStreaming)];

    /// <summary>Up to <paramref name="count"/> of <paramref name="candidates"/>, chosen at random (a partial Fisher–Yates shuffle).</summary>
    internal static List<FeedConnection> PickRandom(ICollection<FeedConnection> candidates, int count, Random random)
    {
        var pool = candidates.ToArray();
        var take = Math.Clamp(count, 0, pool.Length);
        for (var i = 0; i < take; i++)
        {
            var j = random.Next(i, pool.Length);
            (pool[i], pool[j]) = (pool[j], pool[i]);
        }

        return [.. pool.Take(take)];
    }

    internal void Remove(FeedConnection connection) => _open.TryRemove(connection, out _);
}
