using System.Collections.Concurrent;

namespace LoadBench.Target.Stats;

/// <summary>
/// The feed requests in progress, so they can all be aborted at once ("drop connections" in the demo: the
/// class watches each transport recover).
/// </summary>
public sealed class FeedConnections
{
    private readonly ConcurrentDictionary<Registration, byte> _open = new();
    private long _opened;

    /// <summary>Feed requests in progress now.</summary>
    public int Count => _open.Count;

    public IDisposable Track(HttpContext context)
    {
        var registration = new Registration(this, context, Interlocked.Increment(ref _opened));
        _open.TryAdd(registration, 0);
        return registration;
    }

    /// <summary>Aborts every open feed connection (TCP reset, no goodbye) and says how many there were.</summary>
    public int AbortAll()
    {
        var dropped = 0;
        foreach (var registration in _open.Keys)
        {
            if (registration.TryAbort())
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
        foreach (var registration in _open.Keys.OrderByDescending(r => r.Id))
        {
            if (dropped >= count)
            {
                break;
            }

            if (registration.TryAbort())
            {
                dropped++;
            }
        }

        return dropped;
    }

    /// <summary>
    /// A request that ends while <see cref="AbortAll"/> runs must not be aborted: its HttpContext is disposed,
    /// and Kestrel reuses it for the connection's next request (which may not even be a feed request). Abort
    /// and end take the same lock, so an abort only ever reaches a request still in progress.
    /// </summary>
    private sealed class Registration(FeedConnections owner, HttpContext context, long id) : IDisposable
    {
        public long Id => id;

        private readonly Lock _lock = new();
        private bool _ended;

        public bool TryAbort()
        {
            lock (_lock)
            {
                if (_ended)
                {
                    return false;
                }

                context.Abort();
                return true;
            }
        }

        public void Dispose()
        {
            lock (_lock)
            {
                _ended = true;
            }

            owner._open.TryRemove(this, out _);
        }
    }
}
