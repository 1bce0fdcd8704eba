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
/// </summary>
internal sealed class WebSocketClient : IFeedClient
{
    private static readonly TimeSpan CloseHandshakeTimeout = TimeSpan.FromSeconds(2);

    private readonly ClientCore _core;
    private readonly HttpMessageInvoker _invoker;
    private readonly string _prefix;
    private readonly string _heartbeatQuery;
    private readonly WebSocketDeflateOptions? _deflate;
    private byte[] _buffer = new byte[2048];

    public WebSocketClient(FeedClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _core = new ClientCore(options);
        _invoker = new HttpMessageInvoker(_core.CreateHandler(out var owned), disposeHandler: owned);
        var builder = new UriBuilder(new Uri(options.BaseUri, FeedRoutes.WebSocket)) { Scheme = _core.Protocol.Tls is null ? "ws" : "wss" };
        _prefix = builder.Uri.AbsoluteUri + "?after=";
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
        _core.ReconnectUntilCancelledAsync(ReceiveSessionAsync, IsConnectionFailure, cancellationToken);

    /// <summary>One session: returns true when it ended cleanly (a close frame), false on a failed upgrade.</summary>
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
            await socket.ConnectAsync(uri, _invoker, cancellationToken);
        }
        catch (WebSocketException) when (socket.HttpStatusCode is not 0 and not HttpStatusCode.SwitchingProtocols and not HttpStatusCode.OK)
        {
            _core.Fail(ErrorKinds.Http(socket.HttpStatusCode));
            return false;
        }

        _core.Counters.Request();
        _core.Backoff.Reset();
        var filled = 0;
        while (true)
        {
            if (filled == _buffer.Length)
            {
                Array.Resize(ref _buffer, _buffer.Length * 2);
            }

            var result = await socket.ReceiveAsync(_buffer.AsMemory(filled), cancellationToken);
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

            var receivedMicros = _core.NowMicros();
            var message = _buffer.AsSpan(0, filled);
            filled = 0;
            if (_core.Meter.Compressed)
            {
                _core.Meter.Decoded(message.Length); // the inflated message: what the wire would carry uncompressed
            }

            if (result.MessageType == WebSocketMessageType.Text && FeedEventReader.TryRead(message, out var seq, out var ts))
            {
                _core.Deliver(seq, ts, message.Length, receivedMicros);
            }
            else
            {
                _core.Fail(ErrorKinds.BadEvent);
            }

            _core.Meter.Settle();
        }
    }

    private async Task OnCloseAsync(ClientWebSocket socket, CancellationToken cancellationToken)
    {
        var status = (int?)socket.CloseStatus ?? 0;
        if (status == FeedGone.WebSocketCloseStatus)
        {
            _core.Gone();
            _core.StreamClosed();
        }
        else if (status == FeedReset.WebSocketCloseStatus)
        {
            _core.Reset(FeedSignalReader.EpochFromCloseDescription(socket.CloseStatusDescription));
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

    private static bool IsConnectionFailure(Exception e) =>
        e is WebSocketException or HttpRequestException or IOException or OperationCanceledException or TimeoutException;

    public ValueTask DisposeAsync()
    {
        _invoker.Dispose();
        _core.Closed();
        return ValueTask.CompletedTask;
    }
}
