using Microsoft.AspNetCore.Connections.Features;

namespace LoadBench.Target.Stats;

/// <summary>
/// First HTTP middleware: tells the connection's byte counter which transport this request is for, counts
/// requests and open connections per transport, and tracks feed requests so they can be dropped.
/// </summary>
internal sealed class TransportAttributionMiddleware(RequestDelegate next, FeedStats stats, FeedConnections connections, FeedSockets sockets)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var transport = stats.ForPath(context.Request.Path);
        var counter = context.Features.Get<IConnectionItemsFeature>()?.Items.TryGetValue(ConnectionByteCounter.ItemKey, out var item) == true
            ? item as ConnectionByteCounter
            : null;
        counter?.BeginRequest(transport);
        transport.RequestStarted();
        using var tracked = ReferenceEquals(transport, stats.Other) ? null
            : connections.Track(context, streaming: ReferenceEquals(transport, stats.Sse) || ReferenceEquals(transport, stats.WebSocket));
        if (tracked is not null && counter is { CarriedFeed: false, Connection: { } socket })
        {
            // Its first feed request: from now on an abort fault may cut this connection, idle or not.
            counter.CarriedFeed = true;
            sockets.Add(socket);
        }

        if (tracked is not null)
        {
            // The streaming send loops find it here, to honour a stall fault.
            context.Features.Set(tracked);
        }

        try
        {
            await next(context);
        }
        finally
        {
            transport.RequestEnded();
            counter?.EndRequest();
        }
    }
}
