using LoadBench.Contracts;

namespace LoadBench.Target.Hosting;

/// <summary>
/// The requests that stay open for a subscriber's whole life: an SSE stream (<c>GET /feed/sse</c>) and a WebSocket
/// (<c>GET</c>, or HTTP/2's extended <c>CONNECT</c>, on <c>/feed/ws</c>). Every middleware that awaits the rest of the
/// pipeline keeps its async state (100–200 bytes) alive as long as the request runs, so for these requests the
/// target leaves out the ones that do nothing for a stream (<see cref="TargetApp"/>, README "Tuning").
/// <para>
/// Judged on the exact path, as <see cref="Stats.FeedStats.ForPath"/> attributes bytes: a request routing would also
/// send to a stream endpoint (another case, a trailing slash) just takes the full pipeline, as before.
/// </para>
/// </summary>
internal static class FeedStreamRequests
{
    public static bool IsStream(HttpContext context)
    {
        var path = context.Request.Path.Value;
        var method = context.Request.Method;
        return path switch
        {
            FeedRoutes.Sse => HttpMethods.IsGet(method),
            FeedRoutes.WebSocket => HttpMethods.IsGet(method) || HttpMethods.IsConnect(method),
            _ => false,
        };
    }
}
