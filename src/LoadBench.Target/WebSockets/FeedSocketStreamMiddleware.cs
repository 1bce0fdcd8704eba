using LoadBench.Contracts;
using Microsoft.AspNetCore.Http.Features;

namespace LoadBench.Target.WebSockets;

/// <summary>
/// Puts a <see cref="FeedSocketStream"/> under every uncompressed feed WebSocket, so the endpoint can write batches
/// of frames beside the runtime's WebSocket. Runs before the WebSockets middleware (which takes the upgrade features
/// when a request comes in) and wraps the HTTP/1.1 upgrade and the HTTP/2 extended CONNECT, as any middleware may;
/// the endpoint finds the stream in <see cref="FeedSocketWire"/>.
/// </summary>
internal sealed class FeedSocketStreamMiddleware(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (context.Request.Path == FeedRoutes.WebSocket)
        {
            var wire = new FeedSocketWire(context);
            if (AcceptedStreamFeatures.Wrap(context.Features, wire))
            {
                context.Features.Set(wire);
            }
        }

        return next(context);
    }
}

/// <summary>One feed WebSocket request's <see cref="FeedSocketStream"/>, once accepted without compression.</summary>
internal sealed class FeedSocketWire(HttpContext context) : IAcceptedStreamWrapper
{
    /// <summary>The stream under the socket; null before the accept, and for a socket with permessage-deflate.</summary>
    public FeedSocketStream? Stream { get; private set; }

    /// <summary>The accepted stream, under a <see cref="FeedSocketStream"/> unless the handshake agreed on
    /// permessage-deflate (the middleware has written its response headers by the time it asks for the stream).</summary>
    public Stream Wrap(Stream accepted)
    {
        if (context.Response.Headers.SecWebSocketExtensions.ToString().Contains("permessage-deflate", StringComparison.OrdinalIgnoreCase))
        {
            return accepted;
        }

        return Stream = new FeedSocketStream(accepted);
    }
}
