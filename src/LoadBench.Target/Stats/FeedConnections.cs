using System.Collections.Concurrent;

namespace LoadBench.Target.Stats;

/// <summary>
/// The feed requests in progress, so they can all be aborted at once ("drop connections" in the demo: the
/// class watches each transport recover).
/// </summary>
public sealed class FeedConnections
{
    private readonly ConcurrentDictionary<Registration, byte> _open = new();

    public IDisposable Track(HttpContext context)
    {
        var registration = new Registration(this, context);
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
    /// A request that ends while <see cref="AbortAll"/> runs must not be aborted: its HttpContext is disposed,
    /// and Kestrel reuses it for the connection's next request (which may not even be a feed request). Abort
    /// and end take the same lock, so an abort only ever reaches a request still in progress.
    /// </summary>
    private sealed class Registration(FeedConnections owner, HttpContext context) : IDisposable
    {
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
