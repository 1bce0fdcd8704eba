using System.Buffers;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text;
using LoadBench.Contracts;
using LoadBench.Target.Feed;
using LoadBench.Target.Stats;

namespace LoadBench.Target.Sse;

/// <summary>
/// <c>GET /feed/sse?after={seq}</c>: a text/event-stream, one event per published event —
/// <c>data: {json}</c> and <c>id: {seq}</c> — flushed per event. The standard <c>Last-Event-ID</c> header
/// resumes (it wins over <c>after</c>). A cursor older than retention gets one <c>event: gone</c> and the end
/// of the stream.
/// <para>
/// Written with the framework's <see cref="SseFormatter"/> (what <c>TypedResults.ServerSentEvents</c> uses
/// inside) and an item formatter that copies the event's stored JSON. <c>TypedResults.ServerSentEvents</c>
/// itself would re-encode a string or re-serialize the object for every subscriber, which is exactly the
/// per-subscriber work a fair comparison must not add to one transport.
/// </para>
/// </summary>
public static class SseEndpoints
{
    private const string LastEventIdHeader = "Last-Event-ID";

    public static RouteHandlerBuilder MapSse(this IEndpointRouteBuilder routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        return routes.MapGet(FeedRoutes.Sse, StreamAsync);
    }

    private static async Task<IResult> StreamAsync(
        string? after, FeedLog log, FeedStats stats, IHostApplicationLifetime lifetime, HttpContext context)
    {
        var lastEventId = context.Request.Headers[LastEventIdHeader].ToString();
        var (raw, parameter) = lastEventId.Length > 0 ? (lastEventId, LastEventIdHeader) : (after, "after");
        if (!FeedQuery.TryParseAfter(raw, parameter, log, out var cursor, out var problem))
        {
            return problem!;
        }

        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        using var streamSource = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        try
        {
            // Send the headers now: the client knows it is subscribed before the first event is published.
            await response.Body.FlushAsync(streamSource.Token);
            await SseFormatter.WriteAsync(Events(cursor, log, streamSource.Token), response.Body,
                (item, writer) => WriteData(item, writer, stats.Sse), streamSource.Token);
        }
        catch (OperationCanceledException) when (streamSource.IsCancellationRequested)
        {
            // The client left, or the target is shutting down: the stream just ends.
        }

        return Results.Empty;
    }

    private static async IAsyncEnumerable<SseItem<PublishedEvent>> Events(
        long after, FeedLog log, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (FeedQuery.IsGone(after, log, out var oldest))
        {
            yield return GoneItem(after, oldest);
            yield break;
        }

        var cursor = FeedQuery.Effective(after, log);
        while (!cancellationToken.IsCancellationRequested)
        {
            switch (log.TryGet(cursor + 1, out var next))
            {
                case EventLookup.Found:
                    cursor = next!.Seq;
                    yield return new SseItem<PublishedEvent>(next) { EventId = next.SeqText };
                    break;
                case EventLookup.Gone:
                    yield return GoneItem(cursor, log.OldestSeq);
                    yield break;
                default:
                    await log.WaitForEventAfterAsync(cursor, cancellationToken);
                    break;
            }
        }
    }

    private static SseItem<PublishedEvent> GoneItem(long after, long oldestSeq) => new(
        new PublishedEvent(0, Encoding.UTF8.GetBytes(FeedProblems.GoneJson(after, oldestSeq)), "0", 0),
        FeedGone.SseEventType);

    private static void WriteData(SseItem<PublishedEvent> item, IBufferWriter<byte> writer, TransportCounters counters)
    {
        writer.Write(item.Data.Json.Span);
        if (item.Data.Seq > 0)
        {
            counters.EventsSent(1, item.Data.Json.Length);
        }
    }
}
