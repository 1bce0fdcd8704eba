using System.Diagnostics;
using System.Net.WebSockets;
using LoadBench.Contracts;
using LoadBench.Target.Feed;
using LoadBench.Target.Stats;

namespace LoadBench.Target.WebSockets;

/// <summary>
/// <c>GET /feed/ws?after={seq}</c> (WebSocket upgrade): one text message per event, exactly the event JSON.
/// A cursor older than retention is told in-band with close status 4410 (<see cref="FeedGone"/>); a stale
/// <c>epoch</c>, or a restart while the socket is open, with 4409 (<see cref="FeedReset"/>); shutdown
/// closes with 1001 (going away). The items come from <see cref="FeedLog.FollowAsync"/>; this class only sends them.
/// </summary>
public static class WebSocketEndpoints
{
    public static RouteHandlerBuilder MapWebSockets(this IEndpointRouteBuilder routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        return routes.MapGet(FeedRoutes.WebSocket, StreamAsync);
    }

    private static async Task<IResult> StreamAsync(
        string? after, string? epoch, FeedLog log, FeedStats stats, IHostApplicationLifetime lifetime, HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            return FeedProblems.BadRequest("WebSocket upgrade required",
                $"{FeedRoutes.WebSocket} speaks WebSocket only: send a GET with 'Connection: Upgrade' and 'Upgrade: websocket'. For plain HTTP use {FeedRoutes.Poll}, {FeedRoutes.LongPoll} or {FeedRoutes.Sse}.");
        }

        // A stale epoch is told in-band (close 4409), like gone: its cursor is not checked.
        long cursor = 0;
        if (!log.Generation.IsStale(epoch) && !FeedQuery.TryParseAfter(after, "after", log, out cursor, out var problem))
        {
            return problem!;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        using var sessionSource = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        var receiving = ReceiveUntilCloseAsync(socket, sessionSource);
        try
        {
            var (status, description) = await SendEventsAsync(socket, cursor, epoch, log, context.Features.Get<FeedConnection>(), stats.WebSocket,
                lifetime.ApplicationStopping, sessionSource.Token);
            if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                // Not the session token: it is already cancelled when the client closed first, and the
                // close handshake must still be answered.
                await socket.CloseOutputAsync(status, description, context.RequestAborted);
            }

            await receiving.WaitAsync(TimeSpan.FromSeconds(2), context.RequestAborted);
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or TimeoutException)
        {
            // The client left or stopped answering; the connection is going away either way.
        }
        finally
        {
            await sessionSource.CancelAsync();
        }

        return Results.Empty;
    }

    private static async Task<(WebSocketCloseStatus Status, string? Description)> SendEventsAsync(
        WebSocket socket, long after, string? epoch, FeedLog log, FeedConnection? connection, TransportCounters counters, CancellationToken stopping, CancellationToken cancellationToken)
    {
        using var followSource = CancellationTokenSource.CreateLinkedTokenSource(stopping, cancellationToken);
        try
        {
            await foreach (var item in log.FollowAsync(after, epoch, followSource.Token))
            {
                switch (item.Kind)
                {
                    case FeedItemKind.Event:
                        if (connection is not null)
                        {
                            // A stall fault holds the send, and the follower with it: the events wait, none is dropped.
                            await connection.WhileStalledAsync(followSource.Token);
                        }

                        await socket.SendAsync(item.Event!.Json, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
                        counters.EventsSent(1, item.Event.Json.Length);
                        break;
                    case FeedItemKind.Gone:
                        return ((WebSocketCloseStatus)FeedGone.WebSocketCloseStatus, FeedProblems.GoneWebSocketDescription(item.OldestSeq));
                    case FeedItemKind.Reset:
                        return ((WebSocketCloseStatus)FeedReset.WebSocketCloseStatus, FeedProblems.ResetWebSocketDescription(item.Epoch!));
                    default:
                        throw new UnreachableException($"WebSocket has no message for a '{item.Kind}' feed item.");
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return (WebSocketCloseStatus.EndpointUnavailable, "target shutting down");
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested && socket.State == WebSocketState.CloseReceived)
        {
            // Echo the client's close without a description: nothing to add, no bytes to spend.
            return (WebSocketCloseStatus.NormalClosure, null);
        }

        throw new UnreachableException("Following the feed ends only with 'gone', 'reset' or by cancellation.");
    }

    /// <summary>
    /// The feed is one-way, but a WebSocket must still read: to see the client's close frame (and answer it)
    /// and its pings. Anything else the client sends is read and ignored.
    /// </summary>
    private static async Task ReceiveUntilCloseAsync(WebSocket socket, CancellationTokenSource session)
    {
        // The socket reads close and ping frames into its own buffer; this one only ever sees data a client
        // sends against the protocol. Every subscriber holds it for its whole life, so it is small.
        var buffer = new byte[16];
        try
        {
            while (socket.State == WebSocketState.Open)
            {
                var result = await socket.ReceiveAsync(buffer.AsMemory(), session.Token);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException)
        {
        }

        // Stop sending: the client closed or the connection failed.
        await session.CancelAsync();
    }
}
