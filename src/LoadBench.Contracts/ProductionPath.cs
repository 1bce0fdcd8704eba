namespace LoadBench.Contracts;

/// <summary>The HTTP versions a scenario's <c>http</c> dimension names. Polling, long polling and SSE run as
/// ordinary requests over either; WebSocket over HTTP/2 is RFC 8441's extended CONNECT.</summary>
public static class HttpVersions
{
    public const string Http11 = "1.1";
    public const string Http2 = "2";

    public static IReadOnlyList<string> All { get; } = [Http11, Http2];
}

/// <summary>The compression a scenario's <c>compression</c> dimension names. permessage-deflate applies to
/// WebSocket only (RFC 7692, with or without context takeover: per-connection compressor memory against ratio);
/// gzip and br apply to polling responses and to the SSE stream (flushed per event).</summary>
public static class CompressionKinds
{
    public const string None = "none";
    public const string PerMessageDeflate = "permessage-deflate";
    public const string PerMessageDeflateNoContextTakeover = "permessage-deflate-no-context-takeover";
    public const string Gzip = "gzip";
    public const string Brotli = "br";

    public static IReadOnlyList<string> All { get; } = [None, PerMessageDeflate, PerMessageDeflateNoContextTakeover, Gzip, Brotli];

    /// <summary>Whether <paramref name="compression"/> can apply to <paramref name="transport"/> at all.</summary>
    public static bool AppliesTo(string compression, string transport) => compression switch
    {
        None => true,
        PerMessageDeflate or PerMessageDeflateNoContextTakeover => transport == TransportIds.WebSocket,
        Gzip or Brotli => transport is TransportIds.Polling or TransportIds.LongPolling or TransportIds.Sse,
        _ => false,
    };
}
