using System.Diagnostics;
using System.Net.WebSockets;
using LoadBench.Contracts;
using LoadBench.Target.Feed;
using LoadBench.Target.Heartbeats;
using LoadBench.Target.SlowConsumers;
using LoadBench.Target.Stats;

namespace LoadBench.Target.WebSockets;

/// <summary>
/// <c>GET /feed/ws?after={seq}</c> (WebSocket upgrade): one text message per event, exactly the event JSON.
/// A cursor older than retention is told in-band with close status 4410 (<see cref="FeedGone"/>); a stale
/// <c>epoch</c>, or a restart while the socket is open, with 4409 (<see cref="FeedReset"/>); a subscriber
/// too far behind with 4408 (<see cref="FeedTooSlow"/>); shutdown
/// closes with 1001 (going away). <c>heartbeatMs</c> makes the runtime ping at that interval (and expect the
/// client's pong); without it there is no keep-alive frame at all (the middleware's default is off,
/// <see cref="KeepAlive"/>). The items come from <see cref="FeedLog.FollowAsync"/>; this class only sends them, and while an
/// uncompressed subscriber is caught up <see cref="FeedFanOut"/> sends the new events through the same sender instead.
/// </summary>
public static class WebSocketEndpoints
{
    public static RouteHandlerBuilder MapWebSockets(this IEndpointRouteBuilder routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        // GET for HTTP/1.1's upgrade, CONNECT for HTTP/2's extended CONNECT (RFC 8441), which Kestrel serves on its
        // HTTP/2 endpoints and the WebSockets middleware accepts like an upgrade.
        return routes.MapMethods(FeedRoutes.WebSocket, [HttpMethods.Get, HttpMethods.Connect], StreamAsync);
    }

    /// <summary>
    /// Checks the request, then serves it (<see cref="ServeAsync"/>). A <see cref="Task"/>, not a <c>Task&lt;IResult&gt;</c>:
    /// the minimal API awaits a handler's result in a state machine of its own, which a WebSocket would keep for its whole
    /// life (120 bytes), so the few problems are written here (README "Tuning").
    /// </summary>
    private static Task StreamAsync(
        string? after, string? epoch, string? heartbeatMs, FeedLog log, FeedStats stats, TargetOptions options, SlowConsumerSweep sweep,
        IHostApplicationLifetime lifetime, HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            return FeedProblems.BadRequest("WebSocket upgrade required",
                $"{FeedRoutes.WebSocket} speaks WebSocket only: send a GET with 'Connection: Upgrade' and 'Upgrade: websocket'. For plain HTTP use {FeedRoutes.Poll}, {FeedRoutes.LongPoll} or {FeedRoutes.Sse}.")
                .ExecuteAsync(context);
        }

        if (!HeartbeatQuery.TryParse(heartbeatMs, out var heartbeat, out var badHeartbeat))
        {
            return badHeartbeat!.ExecuteAsync(context);
        }

        // A stale epoch is told in-band (close 4409), like gone: its cursor is not checked.
        long cursor = 0;
        if (!log.Generation.IsStale(epoch) && !FeedQuery.TryParseAfter(after, "after", log, out cursor, out var problem))
        {
            return problem!.ExecuteAsync(context);
        }

        return ServeAsync(cursor, epoch, heartbeat, log, stats, options, sweep, lifetime, context);
    }

    /// <summary>
    /// Accepts the socket and sends the follower's items: every event ready goes into the sender's batch, and the batch
    /// is written when the next item is not ready yet — a subscriber woken after several publishes gets them in one
    /// write, one published alone is written at once. Closes with the status of the final item. One method for the
    /// socket's whole life: each async method still running keeps its state machine (≈ 0.3 KiB) for as long.
    /// </summary>
    private static async Task ServeAsync(
        long after, string? epoch, TimeSpan? heartbeat, FeedLog log, FeedStats stats, TargetOptions options, SlowConsumerSweep sweep,
        IHostApplicationLifetime lifetime, HttpContext context)
    {
        using var socket = await context.WebSockets.AcceptWebSocketAsync(WebSocketCompression.AcceptContext(options, KeepAlive.AcceptContext(heartbeat)));
        var connection = context.Features.Get<FeedConnection>();
        // One source for the follow, for the subscriber's whole life: cancelled when the client leaves, the target stops
        // (FeedConnections.StreamSource), the client breaks the receive-only rule (the policy), or the receive loop ends
        // (the client closed, or the connection failed). Sends take the request's own token: a stop or a refusal ends
        // the follow, not a send in flight, and the close is still sent after it.
        using var streamSource = FeedConnections.StreamSource(connection, context.RequestAborted, lifetime.ApplicationStopping);
        var following = streamSource.Token;
        var cancellationToken = context.RequestAborted;
        var policy = new ReceiveOnlyPolicy(options.Limits.MaxWebSocketClientMessageBytes, streamSource);
        using var follower = sweep.Track(context);
        var frames = context.Features.Get<FeedSocketWire>()?.Stream;
        // The zero-byte wait only without a heartbeat: with one, the runtime reads the stream itself after its pings when no
        // receive is in progress, and two reads at once on Kestrel's request stream are refused.
        var receiving = ReceiveUntilCloseAsync(socket, heartbeat is null ? frames : null, policy, streamSource, cancellationToken);
        try
        {
            var compressed = context.Features.Get<CompressedWebSocketWire>()?.Compressed == true;
            using var sender = new WebSocketEventSender(socket, frames, stats.WebSocket, compressed);
            (WebSocketCloseStatus Status, string? Description)? close = null;
            {
                // Uncompressed sockets are written by the fan-out while caught up (compressed ones keep SendAsync per event).
                // Disposed when the loop has ended: nobody writes to the sender then.
                using var fanOut = sender.CanFanOut ? log.FanOut.Subscribe(sender, connection, following, cancellationToken) : null;
                try
                {
                    await using var items = log.FollowAsync(after, epoch, follower, fanOut, following).GetAsyncEnumerator(following);
                    while (close is null)
                    {
                        // Looked at before it is awaited (is the next item ready?); every path awaits it exactly once.
#pragma warning disable CA2012
                        var next = items.MoveNextAsync();
#pragma warning restore CA2012
                        if (!next.IsCompleted)
                        {
                            // Nothing more is ready: send the batch before waiting.
                            bool open;
                            try
                            {
                                open = await sender.FlushAsync(cancellationToken);
                            }
                            catch
                            {
                                await PendingFollow.AbandonAsync(next, streamSource);
                                throw;
                            }

                            if (!open)
                            {
                                // The socket already sent its close frame (it failed reading the client): nothing more to say.
                                await PendingFollow.AbandonAsync(next, streamSource);
                                close = (WebSocketCloseStatus.NormalClosure, null);
                                break;
                            }

                            fanOut?.Arm();
                        }

                        if (!await next)
                        {
                            throw new UnreachableException("Following the feed ends only with 'gone', 'reset', 'too slow' or by cancellation.");
                        }

                        var item = items.Current;
                        if (item.Kind == FeedItemKind.Event)
                        {
                            if (connection is { IsStalled: true })
                            {
                                // A stall fault holds the send, and the follower with it: the events wait, none is dropped.
                                await sender.FlushAsync(cancellationToken);
                                await connection.WhileStalledAsync(following);
                            }

                            if (!await sender.AddAsync(item.Event!, cancellationToken))
                            {
                                close = (WebSocketCloseStatus.NormalClosure, null);
                            }
                        }
                        else
                        {
                            await sender.FlushAsync(cancellationToken);
                            close = FinalClose(item);
                        }
                    }
                }
                catch (OperationCanceledException) when (following.IsCancellationRequested && !cancellationToken.IsCancellationRequested && !policy.ReceiveEnded)
                {
                    // The target stops, or the client broke the receive-only rule (its close replaces this one).
                    // Events already batched were ready before the stop: they go out before the close.
                    await sender.FlushAsync(cancellationToken);
                    close = (WebSocketCloseStatus.EndpointUnavailable, "target shutting down");
                }
                catch (OperationCanceledException) when ((policy.ReceiveEnded || cancellationToken.IsCancellationRequested) && socket.State == WebSocketState.CloseReceived)
                {
                    // Echo the client's close without a description: nothing to add, no bytes to spend.
                    close = (WebSocketCloseStatus.NormalClosure, null);
                }
            }

            var (status, description) = policy.Refusal ?? close.Value;
            if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                // The request's token: the follow's is already cancelled when the client closed first, and the close
                // handshake must still be answered.
                await socket.CloseOutputAsync(status, description, cancellationToken);
            }

            await receiving.WaitAsync(options.Limits.WebSocketCloseDrain, cancellationToken);
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or TimeoutException)
        {
            // The client left or stopped answering; the connection is going away either way.
        }
        finally
        {
            if (!receiving.IsCompleted)
            {
                // Still reading (the client did not close): stop, as a cancelled receive does — the socket is aborted.
                socket.Abort();
            }
        }
    }

    /// <summary>The close that tells a final item: gone, reset or too slow.</summary>
    private static (WebSocketCloseStatus Status, string? Description) FinalClose(FeedItem item) => item.Kind switch
    {
        FeedItemKind.Gone => ((WebSocketCloseStatus)FeedGone.WebSocketCloseStatus, FeedProblems.GoneWebSocketDescription(item.OldestSeq)),
        FeedItemKind.Reset => ((WebSocketCloseStatus)FeedReset.WebSocketCloseStatus, FeedProblems.ResetWebSocketDescription(item.Epoch!)),
        FeedItemKind.TooSlow => ((WebSocketCloseStatus)FeedTooSlow.WebSocketCloseStatus, FeedProblems.TooSlowWebSocketDescription(item.After)),
        _ => throw new UnreachableException($"WebSocket has no message for a '{item.Kind}' feed item."),
    };

    /// <summary>
    /// The feed is one-way, but a WebSocket must still read: to see the client's close frame (and answer it)
    /// and its pings. Anything else the client sends breaks the feed's protocol (<see cref="ReceiveOnlyPolicy"/>);
    /// after that close, reading goes on only to reach the client's close frame.
    /// <para>
    /// Until the client sends its first byte — for most subscribers, until they close — no receive is in progress on a
    /// socket without a heartbeat (<paramref name="frames"/> given):
    /// the loop waits for data with a zero-byte read of the stream under the socket (<see cref="FeedSocketStream.WaitForDataAsync"/>).
    /// A receive in progress holds the runtime's receive and its reads' state machines (≈ 0.5 KiB) for the
    /// subscriber's whole life; the zero-byte read holds none of them and no buffer (README "Tuning").
    /// </para>
    /// </summary>
    private static async Task ReceiveUntilCloseAsync(
        WebSocket socket, FeedSocketStream? frames, ReceiveOnlyPolicy policy, CancellationTokenSource follow, CancellationToken aborted)
    {
        try
        {
            if (frames is not null)
            {
                // Returns when the client's first bytes are there (or the connection ended: the receive below says which).
                await frames.WaitForDataAsync();
            }

            // The socket reads close and ping frames into its own buffer; this one only ever sees data a client
            // sends against the protocol, so it is small.
            var buffer = new byte[16];
            while (socket.State is WebSocketState.Open or WebSocketState.CloseSent)
            {
                // Once refused, what the client still sends is only skipped: in bigger bites, not 16 bytes a call.
                buffer = policy.Refusal is null || buffer.Length > 16 ? buffer : new byte[4096];
                var result = await socket.ReceiveAsync(buffer.AsMemory(), aborted);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }

                policy.Observe(result);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or IOException or ObjectDisposedException
            or InvalidOperationException)
        {
            // InvalidOperationException: the zero-byte read ended by Kestrel completing the connection's reader.
        }

        // Stop following: the client closed or the connection failed.
        policy.ReceiveEnded = true;
        try
        {
            await follow.CancelAsync();
        }
        catch (ObjectDisposedException)
        {
            // The zero-byte read cannot be cancelled, so it may return after the session ended and disposed the source.
        }
    }
}
