namespace LoadBench.Target.WebSockets;

/// <summary>
/// permessage-deflate (RFC 7692) for the WebSocket feed: with <c>--compression on</c>, accepted whenever the client
/// offers it (off by default: every browser offers it, and the demo page and the target's own byte counters assume
/// uncompressed frames), with the
/// parameters the client offers — with <c>server_no_context_takeover</c> the target starts every message from an
/// empty window and keeps no compressor between messages, without it the target keeps one compressor per
/// connection for the connection's life (a better ratio for repetitive JSON, paid in memory per subscriber).
/// A client that offers nothing gets uncompressed frames, exactly as before.
/// </summary>
/// <remarks>
/// The event JSON is still made once at publish and handed to every socket as the same bytes; the socket deflates
/// them itself. That per-connection compression is inherent to permessage-deflate with context takeover: each
/// connection's window holds that connection's history, so no compressed frame can be shared between subscribers.
/// The window stays at the default 15 bits (what browsers offer; a smaller one saves memory, a trade the client's
/// offer can make with <c>server_max_window_bits</c>). Compressing over TLS invites CRIME/BREACH-style attacks when
/// secrets share a message with attacker-chosen text; the feed carries neither, which is why the target may enable it.
/// </remarks>
internal static class WebSocketCompression
{
    public static WebSocketAcceptContext AcceptContext(TargetOptions options) => new() { DangerousEnableCompression = options.Compression };

    /// <summary><paramref name="accept"/> (e.g. the heartbeat's keep-alive settings) with compression as the target allows.</summary>
    public static WebSocketAcceptContext AcceptContext(TargetOptions options, WebSocketAcceptContext accept)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(accept);
        accept.DangerousEnableCompression = options.Compression;
        return accept;
    }
}
