using LoadBench.Contracts;
using LoadBench.Target.Compression;
using LoadBench.Target.Feed;
using LoadBench.Target.Heartbeats;
using LoadBench.Target.SlowConsumers;
using LoadBench.Target.Stats;

namespace LoadBench.Target.Sse;

/// <summary>
/// <c>GET /feed/sse?after={seq}</c>: a text/event-stream, one event per published event —
/// <c>data: {json}</c> and <c>id: {seq}</c> — flushed as soon as it is published (with any others ready for the subscriber). The standard <c>Last-Event-ID</c> header
/// resumes (it wins over <c>after</c>). A cursor older than retention gets one <c>event: gone</c> and the end
/// of the stream; <c>heartbeatMs</c> adds an empty comment line (<see cref="FeedRoutes.SseHeartbeat"/>) at that
/// interval from a ticker shared by all streams (<see cref="HeartbeatTickers"/>), none without it; a stale <c>epoch</c>, or a restart while the stream is open, one <c>event: reset</c> and the end; a subscriber
/// too far behind one <c>event: too-slow</c> and the end (<see cref="FeedTooSlow"/>). The items come from <see cref="FeedLog.FollowAsync(long, string?, FeedFollower?, CancellationToken)"/>; <see cref="SseFeedWriter"/> writes them.
/// <para>
/// Each event's frame is made once, at publish (<see cref="PublishedEvent.SseFrame"/>, byte for byte what the
/// framework's <c>SseFormatter</c> writes for it), and <see cref="SseFeedWriter"/> copies the frames of every event
/// ready for a subscriber into the response's <c>BodyWriter</c> and flushes once (<see cref="SseBody"/>); while the
/// subscriber is caught up, <see cref="FeedFanOut"/> writes the new events into the same body instead of waking its loop.
/// <c>TypedResults.ServerSentEvents</c> would re-encode or re-serialize every event per subscriber, and
/// <c>SseFormatter.WriteAsync</c> formats and flushes each one per subscriber: exactly the per-subscriber work a
/// fair comparison must not add to one transport.
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

    /// <summary>
    /// Checks the request, then serves it (<see cref="ServeAsync"/>). A <see cref="Task"/>, not a <c>Task&lt;IResult&gt;</c>:
    /// the minimal API awaits a handler's result in a state machine of its own, which a stream would keep for its whole
    /// life (120 bytes), so the few problems are written here (README "Tuning").
    /// </summary>
    private static Task StreamAsync(
        string? after, string? epoch, string? heartbeatMs, FeedLog log, FeedStats stats, TargetOptions options,
        SlowConsumerSweep sweep, HeartbeatTickers heartbeats, IHostApplicationLifetime lifetime, HttpContext context)
    {
        if (!HeartbeatQuery.TryParse(heartbeatMs, out var heartbeat, out var badHeartbeat))
        {
            return badHeartbeat!.ExecuteAsync(context);
        }

        var lastEventId = context.Request.Headers[LastEventIdHeader].ToString();
        var (raw, parameter) = lastEventId.Length > 0 ? (lastEventId, LastEventIdHeader) : (after, "after");
        // A stale epoch is told in-band, like gone: its cursor (maybe beyond this epoch's latest) is not checked.
        long cursor = 0;
        if (!log.Generation.IsStale(epoch) && !FeedQuery.TryParseAfter(raw, parameter, log, out cursor, out var problem))
        {
            return problem!.ExecuteAsync(context);
        }

        return ServeAsync(cursor, epoch, heartbeat, log, stats, options, sweep, heartbeats, lifetime, context);
    }

    private static async Task ServeAsync(
        long cursor, string? epoch, TimeSpan? heartbeat, FeedLog log, FeedStats stats, TargetOptions options,
        SlowConsumerSweep sweep, HeartbeatTickers heartbeats, IHostApplicationLifetime lifetime, HttpContext context)
    {
        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        var coding = ResponseCodings.Negotiate(options, context.Request.Headers.AcceptEncoding);
        if (coding is not null)
        {
            response.Headers.ContentEncoding = coding;
            response.Headers.Vary = "Accept-Encoding";
        }

        var connection = context.Features.Get<FeedConnection>();
        // Ends when the client leaves or the target stops: one source, one registration (FeedConnections.StreamSource).
        using var streamSource = FeedConnections.StreamSource(connection, context.RequestAborted, lifetime.ApplicationStopping);
        using var follower = sweep.Track(context);
        using var lease = heartbeat is { } interval ? heartbeats.Join(interval) : null;
        // Heartbeats and events go through the same body: with gzip or br, one compressor flushed after every write.
        // The target counts what the compressor writes as the payload, and what goes into it as the decoded body —
        // not the trailer written as the stream is disposed after the client left: the connection drops it.
        var counters = stats.Sse;
        var aborted = context.RequestAborted;
        var compressor = coding is null ? null : new CountedWrites(
            new FlushPerWriteStream(ResponseCodings.Compressor(coding, new CountedWrites(
                response.Body, n => CountUnlessAborted(n, 0), leaveOpen: true))),
            n => CountUnlessAborted(0, n), leaveOpen: false);
        var body = compressor is null ? SseBody.Plain(response.BodyWriter, counters) : SseBody.Compressed(compressor, counters);

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
                // Plain streams are written by the fan-out while caught up (compressed ones keep their loop: one
                // compressor write per event). Disposed after the writer returned: nobody writes to the body then.
                using var fanOut = body.CanFanOut ? log.FanOut.Subscribe(body, connection, streamSource.Token, streamSource.Token) : null;
                await SseFeedWriter.WriteAsync(log.FollowAsync(cursor, epoch, follower, fanOut, streamSource.Token), body, lease,
                    connection, streamSource, fanOut);
            }
            finally
            {
                if (compressor is not null)
                {
                    await DisposeCompressorAsync(compressor);
                }
            }
        }
        catch (OperationCanceledException) when (streamSource.IsCancellationRequested)
        {
            // The client left, or the target is shutting down: the stream just ends.
        }
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
}
