using System.Collections.Concurrent;
using Microsoft.AspNetCore.Connections;

namespace LoadBench.Target.Stats;

/// <summary>
/// The TCP connections that have carried a feed request, idle or busy — what the abort fault cuts. Feed
/// <em>requests</em> in progress (<see cref="FeedConnections"/>) would miss the short pollers, whose keep-alive
/// connection sits idle between polls most of the time: "1 % of connections aborted per second" must hit them
/// as often as it hits a stream. A connection is added by its first feed request and removed when it closes.
/// </summary>
public sealed class FeedSockets
{
    private readonly ConcurrentDictionary<ConnectionContext, byte> _open = new();

    /// <summary>Connections that carried a feed request and are still open.</summary>
    public int Count => _open.Count;

    internal void Add(ConnectionContext connection) => _open.TryAdd(connection, 0);

    internal void Remove(ConnectionContext connection) => _open.TryRemove(connection, out _);

    /// <summary>Aborts up to <paramref name="count"/> of them, chosen at random (TCP reset, no goodbye), and says how many.</summary>
    internal int AbortRandom(int count, Random random)
    {
        var pool = _open.Keys.ToArray();
        var take = Math.Clamp(count, 0, pool.Length);
        for (var i = 0; i < take; i++)
        {
            var j = random.Next(i, pool.Length);
            (pool[i], pool[j]) = (pool[j], pool[i]);
            // Out of the candidates at once: it is on its way out, and the next tick must not count it as open.
            _open.TryRemove(pool[i], out _);
            pool[i].Abort(new ConnectionAbortedException("abort fault"));
        }

        return take;
    }
}
