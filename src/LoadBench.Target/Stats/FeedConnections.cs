using System.Collections.Concurrent;

namespace LoadBench.Target.Stats;

/// <summary>
/// The feed requests in progress, so they can all be aborted at once ("drop connections" in the demo: the
/// class watches each transport recover).
/// </summary>
public sealed class FeedConnections
{
    private readonly ConcurrentDictionary<HttpContext, byte> _open = new();

    public IDisposable Track(HttpContext context)
    {
        _open.TryAdd(context, 0);
        return new Registration(this, context);
    }

    /// <summary>Aborts every open feed connection (TCP reset, no goodbye) and says how many there were.</summary>
    public int AbortAll()
    {
        var dropped = 0;
        foreach (var context in _open.Keys)
        {
            context.Abort();
            dropped++;
        }

        return dropped;
    }

    private sealed class Registration(FeedConnections owner, HttpContext context) : IDisposable
    {
        public void Dispose() => owner._open.TryRemove(context, out _);
    }
}
