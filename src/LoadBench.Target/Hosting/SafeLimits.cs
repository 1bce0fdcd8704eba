using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace LoadBench.Target.Hosting;

/// <summary>
/// What one client may send before it is refused: the target is a public-facing server in miniature, so each
/// limit is set on purpose (and documented in the README's "Safe defaults") instead of left to Kestrel's defaults.
/// Nothing the feed needs comes near them: the largest body the target reads is a settings or fault request of
/// a few dozen bytes, and the longest request line a poll with three numbers.
/// </summary>
public sealed record SafeLimits
{
    /// <summary>Largest request body, on every route: 64 KiB (Kestrel's default is 30 MB). Larger: 413.</summary>
    public long MaxRequestBodyBytes { get; init; } = 64 * 1024;

    /// <summary>Longest request line (method, path, query): 8 KiB. Longer: 414 from Kestrel.</summary>
    public int MaxRequestLineBytes { get; init; } = 8 * 1024;

    /// <summary>All request headers together: 16 KiB (Kestrel's default is 32 KiB). More: 431 from Kestrel.</summary>
    public int MaxRequestHeadersTotalBytes { get; init; } = 16 * 1024;

    /// <summary>Most request headers: 64 (Kestrel's default is 100). More: 431 from Kestrel.</summary>
    public int MaxRequestHeaderCount { get; init; } = 64;

    /// <summary>A request's head must arrive within this (Kestrel's default is 30 s): a slow-header client is
    /// answered 408 and closed instead of holding a connection for as long as it likes.</summary>
    public TimeSpan RequestHeadersTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>An idle keep-alive connection is closed after this (Kestrel's default is 130 s).</summary>
    public TimeSpan KeepAliveTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>A request body must arrive at least this fast once <see cref="MinRequestBodyGrace"/> has passed:
    /// a slow-body client is answered 408 and closed.</summary>
    public double MinRequestBodyBytesPerSecond { get; init; } = 240;

    /// <summary>How long a body may be slower than <see cref="MinRequestBodyBytesPerSecond"/> before it is refused.</summary>
    public TimeSpan MinRequestBodyGrace { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Largest message a WebSocket client may send to the receive-only feed before it is closed with
    /// 1009 (message too big) rather than 1008 (policy violation): any data message breaks the feed's protocol.</summary>
    public int MaxWebSocketClientMessageBytes { get; init; } = 1024;

    /// <summary>After closing a misbehaving WebSocket, how long the target keeps reading (and discarding) what it
    /// sends while waiting for its close frame, so the close arrives rather than being lost to a reset.</summary>
    public TimeSpan WebSocketCloseDrain { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Concurrent HTTP/2 streams on one connection [100].</summary>
    public int Http2MaxStreamsPerConnection { get; init; } = 1_000;

    internal void ApplyTo(KestrelServerLimits limits)
    {
        limits.MaxRequestBodySize = MaxRequestBodyBytes;
        limits.MaxRequestLineSize = MaxRequestLineBytes;
        limits.MaxRequestHeadersTotalSize = MaxRequestHeadersTotalBytes;
        limits.MaxRequestHeaderCount = MaxRequestHeaderCount;
        limits.RequestHeadersTimeout = RequestHeadersTimeout;
        limits.KeepAliveTimeout = KeepAliveTimeout;
        limits.MinRequestBodyDataRate = new MinDataRate(MinRequestBodyBytesPerSecond, MinRequestBodyGrace);
        // Kestrel's default of 100 would make the 101st subscriber on a shared HTTP/2 connection wait for a free
        // stream; a scenario's streamsPerConnection goes up to this.
        limits.Http2.MaxStreamsPerConnection = Http2MaxStreamsPerConnection;
    }
}
