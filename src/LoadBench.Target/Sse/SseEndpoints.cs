using System.Buffers;
using System.Diagnostics;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text;
using LoadBench.Contracts;
using LoadBench.Target.Compression;
using LoadBench.Target.Feed;
using LoadBench.Target.Heartbeats;
using LoadBench.Target.SlowConsumers;
using LoadBench.Target.Stats;

namespace LoadBench.Target.Sse;

/// <summary>
/// <c>GET /feed/sse?after={seq}</c>: a text/event-stream, one event per published event —
/// <c>data: {json}</c> and <c>id: {seq}</c> — flushed per event. The standard <c>Last-Event-ID</c> header
/// resumes (it wins over <c>after</c>). A cursor older than retention gets one <c>event: gone</c> and the end
/// of the stream; <c>heartbeatMs</c> adds an empty comment line (<see cref="FeedRoutes.SseHeartbeat"/>) at that
/// interval from a ticker shared by all streams (<see cref="HeartbeatTickers"/>), none without it; a stale <c>epoch</c>, or a restart while the stream is open, one <c>event: reset</c> and the end; a subscriber
/// too far behind one <c>event: too-slow</c> and the end (<see cref="FeedTooSlow"/>). The items come from <see cref="FeedLog.FollowAsync(long, string?, FeedFollower?, CancellationToken)"/>; this class only frames them.
/// <para>
/// Written with the framework's <see cref="SseFormatter"/> (what <c>TypedResults.ServerSentEvents</c> uses
/// inside) and an item formatter that copies the event's stored JSON. <c>TypedResults.ServerSentEvents</c>
/// itself would re-encode a string or re-serialize the object for every subscriber, which is exactly the
/// per-subscriber work a fair comparison must not add to one transport.
/// </para>
/// <para>
/// A request that accepts br or gzip gets the stream compressed (<see cref="ResponseCodings"/>), flushed after
/// every event (<see cref="FlushPerWriteStream"/>), and a compressor's flush is a sync flush: the event's bytes leave the compressor in
/// whole deflate or brotli blocks at once, so a subscriber decodes each event without waiting for the next and the
/// latency stays honest. The event JSON is still made once at publish; the compressor is per stream, because a
/// compressed stream's context is: it is the cost this variant measures (CPU, and memory per subscriber).
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

    private static readonly byte[] HeartbeatBytes = Encoding.UTF8.GetBytes(FeedRoutes.SseHeartbeat);

    private static async Task<IResult> StreamAsync(
        string? after, string? epoch, string? heartbeatMs, FeedLog log, FeedStats stats, TargetOptions options,
        SlowConsumerSweep sweep, HeartbeatTickers heartbeats, IHostApplicationLifetime lifetime, HttpContext context)
    {
        if (!HeartbeatQuery.TryParse(heartbeatMs, out var heartbeat, out var badHeartbeat))
        {
            return badHeartbeat!;
        }

        var lastEventId = context.Request.Headers[LastEventIdHeader].ToString();
        var (raw, parameter) = lastEventId.Length > 0 ? (lastEventId, LastEventIdHeader) : (after, "after");
        // A stale epoch is told in-band, like gone: its cursor (maybe beyond this epoch's latest) is not checked.
        long cursor = 0;
        if (!log.Generation.IsStale(epoch) && !FeedQuery.TryParseAfter(raw, parameter, log, out cursor, out var problem))
        {
            return problem!;
        }

        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        var coding = ResponseCodings.Negotiate(options, context.Request.Headers.AcceptEncoding);
        if (coding is not null)
        {
            response.Headers.ContentEncoding = coding;
            response.Headers.Vary = "Accept-Encoding";
        }

        using var streamSource = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        using var follower = sweep.Track(context);
        using var lease = heartbeat is { } interval ? heartbeats.Join(interval) : null;
        // Heartbeats and events go through the same body: with gzip or br, one compressor flushed after every write.
        // The target counts what the compressor writes as the payload, and what goes into it as the decoded body —
        // not the trailer written as the stream is disposed after the client left: the connection drops it.
        var counters = stats.Sse;
        var aborted = context.RequestAborted;
        var body = coding is null ? response.Body : new CountedWrites(
            new FlushPerWriteStream(ResponseCodings.Compressor(coding, new CountedWrites(
                response.Body, n => CountUnlessAborted(n, 0), leaveOpen: true))),
            n => CountUnlessAborted(0, n), leaveOpen: false);

        void CountUnlessAborted(long wire, long decoded)
        {
            if (!aborted.IsCancellationRequested)
            {
                counters.CompressedBody(wire, decoded);
            }
        }

        try
        {
            // Send the headers now: the client knows it is subscribed before the first event is published.
            await response.Body.FlushAsync(streamSource.Token);
            try
            {
                await SseFormatter.WriteAsync(Items(cursor, epoch, log, follower, lease, body, context.Features.Get<FeedConnection>(), streamSource.Token), body,
                    (item, writer) => WriteData(item, writer, counters, compressed: coding is not null), streamSource.Token);
            }
            finally
            {
                if (coding is not null)
                {
                    await DisposeCompressorAsync(body);
                }
            }
        }
        catch (OperationCanceledException) when (streamSource.IsCancellationRequested)
        {
            // The client left, or the target is shutting down: the stream just ends.
        }

        return Results.Empty;
    }

    /// <summary>Ends the compressed stream (its trailer) when the stream ended on the target's side; when the client
    /// is already gone there is nobody to write it to, and the compressor's native memory is freed either way.</summary>
    private static async Task DisposeCompressorAsync(Stream compressor)
    {
        try
        {
            await compressor.DisposeAsync();
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
            // The connection went away under the trailer.
        }
    }

    /// <summary>The feed as SSE items: an event with its seq as <c>id:</c>, or the final <c>event: gone</c>, <c>event: reset</c> or <c>event: too-slow</c>.</summary>
    /// <remarks>Heartbeats are written here, straight to the body, while the formatter waits for the next item: it
    /// has written and flushed the last one by then, so a comment line never lands inside an event. A stall holds
    /// them too (it is after the wait), as it would on a server that stopped writing.</remarks>
    private static async IAsyncEnumerable<SseItem<FeedItem>> Items(
        long after, string? epoch, FeedLog log, FeedFollower follower, HeartbeatLease? heartbeat, Stream body, FeedConnection? connection,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var feed = log.FollowAsync(after, epoch, follower, cancellationToken);
        if (heartbeat is not null)
        {
            feed = heartbeat.Interleave(feed, ct => body.WriteAsync(HeartbeatBytes, ct), cancellationToken);
        }

        await foreach (var item in feed)
        {
            if (connection is not null)
            {
                // A stall fault holds the write, and the follower with it: the events wait, none is dropped.
                await connection.WhileStalledAsync(cancellationToken);
            }

            yield return item.Kind switch
            {
                FeedItemKind.Event => new SseItem<FeedItem>(item) { EventId = item.Event!.SeqText },
                FeedItemKind.Gone => new SseItem<FeedItem>(item, FeedGone.SseEventType),
                FeedItemKind.Reset => new SseItem<FeedItem>(item, FeedReset.SseEventType),
                FeedItemKind.TooSlow => new SseItem<FeedItem>(item, FeedTooSlow.SseEventType),
                _ => throw NoFrameFor(item.Kind),
            };
        }
    }

    private static void WriteData(SseItem<FeedItem> item, IBufferWriter<byte> writer, TransportCounters counters, bool compressed)
    {
        var data = item.Data;
        switch (data.Kind)
        {
            case FeedItemKind.Event:
                var json = data.Event!.Json;
                writer.Write(json.Span);
                if (compressed)
                {
                    counters.CompressedEventsSent(1, json.Length);
                }
                else
                {
                    counters.EventsSent(1, json.Length);
                }

                break;
            case FeedItemKind.Gone:
                writer.Write(Encoding.UTF8.GetBytes(FeedProblems.GoneJson(data.After, data.OldestSeq)));
                break;
            case FeedItemKind.Reset:
                writer.Write(Encoding.UTF8.GetBytes(FeedProblems.ResetJson(data.Epoch!, data.LatestSeq)));
                break;
            case FeedItemKind.TooSlow:
                writer.Write(Encoding.UTF8.GetBytes(FeedProblems.TooSlowJson(data.After, data.LatestSeq)));
                break;
            default:
                throw NoFrameFor(data.Kind);
        }
    }

    private static UnreachableException NoFrameFor(FeedItemKind kind) => new($"SSE has no frame for a '{kind}' feed item.");
}
