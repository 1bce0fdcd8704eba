namespace LoadBench.Target.Stats;

/// <summary>
/// First HTTP middleware: tells the connection's byte counter which transport this request is for, counts
/// requests and open connections per transport, and tracks feed requests so they can be dropped.
/// <para>
/// What it does when a request ends is done by the request itself (<see cref="HttpResponse.RegisterForDispose"/>)
/// when the rest of the pipeline hands back a task still running: awaiting it here would keep this method's state
/// (136 bytes) alive for a stream's whole life, where the object that ends it takes 40 (README "Tuning"). Kestrel
/// disposes it once the response has completed, before the connection's next request is read.
/// </para>
/// </summary>
internal sealed class TransportAttributionMiddleware(RequestDelegate next, FeedStats stats, FeedConnections connections, FeedSockets sockets)
{
    public Task InvokeAsync(HttpContext context)
    {
        var transport = stats.ForPath(context.Request.Path);
        var counter = context.Features.Get<ConnectionByteCounter>();
        counter?.BeginRequest(transport);
        transport.RequestStarted();
        var tracked = ReferenceEquals(transport, stats.Other) ? null
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

        var end = new RequestEnd(transport, counter, tracked);
        Task request;
        try
        {
            request = next(context);
        }
        catch
        {
            end.Dispose();
            throw;
        }

        if (request.IsCompleted)
        {
            end.Dispose();
        }
        else
        {
            context.Response.RegisterForDispose(end);
        }

        return request;
    }

    /// <summary>The end of one request: its transport's open count, its connection's attribution, its tracking.</summary>
    private sealed class RequestEnd(TransportCounters transport, ConnectionByteCounter? counter, FeedConnection? tracked) : IDisposable
    {
        public void Dispose()
        {
            transport.RequestEnded();
            counter?.EndRequest();
            tracked?.Dispose();
        }
    }
}
