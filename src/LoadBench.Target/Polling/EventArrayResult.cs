using System.Buffers;
using LoadBench.Target.Compression;
using LoadBench.Target.Feed;
using LoadBench.Target.Stats;

namespace LoadBench.Target.Polling;

/// <summary>
/// Writes events as one JSON array — <c>[</c>, each event's stored JSON, commas, <c>]</c> — straight into
/// Kestrel's output buffer, with Content-Length (no chunked encoding). The events' bytes are the ones made at
/// publish: nothing is serialized again per request. A request that accepts br or gzip gets the same array
/// compressed, made once per distinct batch and shared by every poller that gets it (<see cref="CompressedBatches"/>).
/// </summary>
internal sealed class EventArrayResult(IReadOnlyList<PublishedEvent> events, TransportCounters counters) : IResult, IStatusCodeHttpResult
{
    public int? StatusCode => StatusCodes.Status200OK;

    /// <summary>Flush to the socket every this many bytes, so a large answer is not held whole in memory.</summary>
    private const int FlushThreshold = 64 * 1024;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        long payload = 0;
        foreach (var feedEvent in events)
        {
            payload += feedEvent.Json.Length;
        }

        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json";
        if (ResponseCodings.Negotiate(httpContext.RequestServices.GetRequiredService<TargetOptions>(), httpContext.Request.Headers.AcceptEncoding) is { } coding)
        {
            var compressed = httpContext.RequestServices.GetRequiredService<CompressedBatches>().Get(coding, events);
            response.Headers.ContentEncoding = coding;
            response.Headers.Vary = "Accept-Encoding";
            response.ContentLength = compressed.Length;
            // On the socket the body is the compressed array: that is the payload here, as in the engine's count.
            counters.CompressedEventsSent(events.Count, payload);
            counters.CompressedBody(compressed.Length, payload + 2 + Math.Max(0, events.Count - 1));
            await response.Body.WriteAsync(compressed, httpContext.RequestAborted);
            return;
        }

        response.ContentLength = payload + 2 + Math.Max(0, events.Count - 1);

        var writer = response.BodyWriter;
        long unflushed = 1;
        writer.Write("["u8);
        for (var i = 0; i < events.Count; i++)
        {
            if (i > 0)
            {
                writer.Write(","u8);
            }

            writer.Write(events[i].Json.Span);
            unflushed += events[i].Json.Length + 1;
            if (unflushed >= FlushThreshold)
            {
                await writer.FlushAsync(httpContext.RequestAborted);
                unflushed = 0;
            }
        }

        writer.Write("]"u8);
        counters.EventsSent(events.Count, payload);
        await writer.FlushAsync(httpContext.RequestAborted);
    }
}
