using System.Buffers;
using System.Globalization;
using System.Net;
using System.Net.WebSockets;
using LoadBench.Contracts;
using LoadBench.Engine.Metrics;

namespace LoadBench.Engine.Transports.WebSockets;

/// <summary>
/// WebSocket: <c>ws://…/feed/ws?after={cursor}</c>, one text message per event. The upgrade goes through the
/// client's own counted handler (<see cref="ClientWebSocket.ConnectAsync(Uri, HttpMessageInvoker, CancellationToken)"/>),
/// so the handshake heads and every frame — masked client frames and close frames included — are on the
/// client's meter. A close with status 4410 is the gone signal: counted, then resumed from the oldest event; 4409
/// is a reset (<see cref="FeedReset"/>: counted, then started again from the new epoch's first event, named in the
/// close description); 4408 is too slow (<see cref="FeedTooSlow"/>: counted, then resumed from the cursor). Every
/// connection carries the epoch the client follows (<c>&amp;epoch=</c>) and the scenario's heartbeat (<c>&amp;heartbeatMs=</c>).
/// In the default setup (plain HTTP/1.1, no compression) the upgrade is done on the counted socket itself
/// (<c>WebSocketClient.Raw.cs</c>) and its frames read from the socket (<c>WebSocketClient.RawFrames.cs</c>); both
/// paths hand every message to <see cref="OnMessage"/> and every close status to <see cref="OnCloseStatus"/>.
/// </summary>
internal sealed partial class WebSocketClient : IFeedClient
{
    private static readonly TimeSpan CloseHandshakeTimeout = TimeSpan.FromSeconds(2);

    // The target's events are a few hundred bytes; a larger message doubles the rented buffer.
    private const int InitialMessageBytes = 2048;

    private readonly ClientCore _core;
    private readonly HttpMessageInvoker? _invoker; // null on the raw path
    private readonly bool _raw;
    private readonly bool _onLoop; // the raw path's reads on the event loop (WebSocketClient.Loop.cs)
    private readonly string _prefix;
    private readonly string _heartbeatQuery;
    private readonly WebSocketDeflateOptions? _deflate;

    public WebSocketClient(FeedClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _core = new ClientCore(options);
        // Plain HTTP/1.1 without compression, on a connection of its own (the default setup): the upgrade is written
        // and read on the socket itself (WebSocketClient.Raw.cs); HTTP/2, TLS, permessage-deflate and shared
        // connections keep ClientWebSocket over the client's handler.
        _raw = !_core.Protocol.NeedsHandler && options.SharedConnection is null && options.Setup.Compression == CompressionKinds.None;
        _onLoop = _raw && Connections.EventLoop.LoopStream.IsEnabled(options.StreamLoop);
        _invoker = _raw ? null : new HttpMessageInvoker(_core.CreateHandler(out var owned), disposeHandler: owned);
        // The ClientWebSocket path's address up to the cursor; the raw path keeps no address per client.
        _prefix = _raw ? "" : new UriBuilder(new Uri(options.BaseUri, FeedRoutes.WebSocket)) { Scheme = _core.Protocol.Tls is null ? "ws" : "wss" }.Uri.AbsoluteUri + "?after=";
        _heartbeatQuery = HeartbeatParameter.Query(options.Setup);
        _deflate = DeflateOffer(options.Setup.Compression);
    }

    /// <summary>
    /// The permessage-deflate offer (RFC 7692) for a compression kind; null offers none. Without context takeover
    /// both sides start every message from an empty window, so neither keeps a compressor's state between
    /// messages: less memory per connection, a worse ratio — exactly the trade the scenario measures. Window bits
    /// stay at the default 15 (what browsers offer).
    /// </summary>
    internal static WebSocketDeflateOptions? DeflateOffer(string compression) => compression switch
    {
        CompressionKinds.PerMessageDeflate => new WebSocketDeflateOptions(),
        CompressionKinds.PerMessageDeflateNoContextTakeover => new WebSocketDeflateOptions { ClientContextTakeover = false, ServerContextTakeover = false },
        _ => null,
    };

    public ClientCounters Counters => _core.Counters;

    public long Cursor => _core.Checker.Cursor;

    public Task RunAsync(CancellationToken cancellationToken) =>
        _core.ReconnectUntilCancelledAsync(!_raw ? ReceiveSessionAsync : _onLoop ? ReceiveSessionOnLoopIfPossibleAsync : ReceiveRawSessionAsync, IsConnectionFailure, cancellationToken);

    // An address that needs DNS keeps the awaited reads (no DNS on the loop's path).
    private Task<bool> ReceiveSessionOnLoopIfPossibleAsync(CancellationToken cancellationToken) =>
        Connections.LoopbackConnector.EndPointWithoutDns(_core.Options.BaseUri, _core.Options.Connections) is { } endPoint
            ? ReceiveLoopSessionAsync(endPoint, cancellationToken)
            : ReceiveRawSessionAsync(cancellationToken);

    /// <summary>One session through ClientWebSocket: returns true when it ended cleanly (a close frame), false on a
    /// failed upgrade. (The raw path's session: <c>WebSocketClient.RawFrames.cs</c>.)</summary>
    private async Task<bool> ReceiveSessionAsync(CancellationToken cancellationToken)
    {
        using var socket = new ClientWebSocket();
        // No keep-alive of the client's own: on loopback it guards nothing, and it would add frames to the byte split.
        // A scenario's heartbeat is the target's ping (&heartbeatMs=), which the socket answers with a pong by
        // itself while a receive is pending (always, here): both frames are framing on the meter.
        socket.Options.KeepAliveInterval = TimeSpan.Zero;
        socket.Options.CollectHttpResponseDetails = true; // to name a refused upgrade by its status (http_503)
        // Over HTTP/2 the session is an extended CONNECT stream (RFC 8441); exact, so it never falls back to a 101.
        socket.Options.HttpVersion = _core.Protocol.Version;
        socket.Options.HttpVersionPolicy = HttpVersionPolicy.RequestVersionExact;
        socket.Options.DangerousDeflateOptions = _deflate;
        var uri = new Uri(string.Concat(_prefix, _core.After.ToString(CultureInfo.InvariantCulture), _core.EpochQuery, _heartbeatQuery));
        try
        {
            await socket.ConnectAsync(uri, _invoker!, cancellationToken);
        }
        catch (WebSocketException) when (socket.HttpStatusCode is not 0 and not HttpStatusCode.SwitchingProtocols and not HttpStatusCode.OK)
        {
            _core.Fail(ErrorKinds.Http(socket.HttpStatusCode));
            return false;
        }

        return await ReceiveMessagesAsync(socket, cancellationToken);
    }

    /// <summary>An upgraded session's messages until its close (true) or a failure (thrown).</summary>
    private async Task<bool> ReceiveMessagesAsync(WebSocket socket, CancellationToken cancellationToken)
    {
        _core.Counters.Request();
        _core.Backoff.Reset();
        // Between messages the client holds no receive buffer: a zero-byte receive waits for the next frame's header
        // (the managed WebSocket reads it into its own small header buffer), and only then is a buffer rented for the
        // message; it goes back to the pool once the message is parsed. An idle subscriber so keeps 0 bytes of its
        // own instead of 2 KiB (issue 14).
        byte[]? buffer = null;
        var filled = 0;
        try
        {
            while (true)
            {
                ValueWebSocketReceiveResult result;
                if (buffer is null)
                {
                    result = await socket.ReceiveAsync(Memory<byte>.Empty, cancellationToken);
                    if (result.MessageType != WebSocketMessageType.Close && !result.EndOfMessage)
                    {
                        buffer = ArrayPool<byte>.Shared.Rent(InitialMessageBytes);
                        continue;
                    }
                }
                else
                {
                    if (filled == buffer.Length)
                    {
                        var bigger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                        buffer.AsSpan(0, filled).CopyTo(bigger);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = bigger;
                    }

                    result = await socket.ReceiveAsync(buffer.AsMemory(filled), cancellationToken);
                }

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    await OnCloseAsync(socket, cancellationToken);
                    return true;
                }

                filled += result.Count;
                if (!result.EndOfMessage)
                {
                    continue;
                }

                OnMessage(buffer is null ? ReadOnlySpan<byte>.Empty : buffer.AsSpan(0, filled), result.MessageType);
                filled = 0;
                if (buffer is not null)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = null;
                }
            }
        }
        finally
        {
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    private void OnMessage(ReadOnlySpan<byte> message, WebSocketMessageType type)
    {
        var receivedMicros = _core.NowMicros();
        if (_core.Meter.Compressed)
        {
            _core.Meter.Decoded(message.Length); // the inflated message: what the wire would carry uncompressed
        }

        if (type == WebSocketMessageType.Text && FeedEventReader.TryRead(message, out var seq, out var ts))
        {
            _core.Deliver(seq, ts, message.Length, receivedMicros);
        }
        else
        {
            _core.Fail(ErrorKinds.BadEvent);
        }

        _core.Meter.Settle();
    }

    private async Task OnCloseAsync(WebSocket socket, CancellationToken cancellationToken)
    {
        OnCloseStatus((int?)socket.CloseStatus ?? 0, socket.CloseStatusDescription);
        if (socket.State != WebSocketState.CloseReceived)
        {
            return;
        }

        // Complete the close handshake (our close frame is part of the wire cost), but never wait long for it.
        using var timeout = new CancellationTokenSource(CloseHandshakeTimeout, _core.Options.TimeProvider);
        using var closing = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, closing.Token);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && IsConnectionFailure(e))
        {
            // The target may drop the connection right after its close frame; nothing is lost by that.
        }
    }

    /// <summary>Counts what the target's close status says (on both paths): gone, reset, too slow, or a failure.</summary>
    private void OnCloseStatus(int status, string? description)
    {
        if (status == FeedGone.WebSocketCloseStatus)
        {
            _core.Gone();
            _core.StreamClosed();
        }
        else if (status == FeedReset.WebSocketCloseStatus)
        {
            _core.Reset(FeedSignalReader.EpochFromCloseDescription(description));
            _core.StreamClosed();
        }
        else if (status == FeedTooSlow.WebSocketCloseStatus)
        {
            _core.TooSlow();
        }
        else
        {
            // 1001 when the target shuts down; anything else is unexpected during a run.
            _core.Fail(status == 0 ? ErrorKinds.StreamEnded : "ws_close_" + status.ToString(CultureInfo.InvariantCulture));
        }
    }

    private static bool IsConnectionFailure(Exception e) =>
        e is WebSocketException or HttpRequestException or IOException or System.Net.Sockets.SocketException or OperationCanceledException or TimeoutException;

    public ValueTask DisposeAsync()
    {
        _invoker?.Dispose();
        _core.Closed();
        return ValueTask.CompletedTask;
    }
}
