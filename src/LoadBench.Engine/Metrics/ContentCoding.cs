namespace LoadBench.Engine.Metrics;

/// <summary>The content codings a response body may come in (RFC 9110 §8.4.1), as far as the engine decodes them.</summary>
internal enum ContentCoding
{
    None,
    Gzip,
    Brotli,

    /// <summary>A coding the engine does not decode (deflate, zstd, a list of several): the body is counted as
    /// compressed on the wire, and the client reports it as a bad response.</summary>
    Other,
}

internal static class ContentCodings
{
    /// <summary>The Accept-Encoding token a scenario's compression asks for: <c>gzip</c>, <c>br</c>, or null
    /// (none, or WebSocket's permessage-deflate, which is no content coding).</summary>
    public static string? Requested(string compression) => compression switch
    {
        Contracts.CompressionKinds.Gzip => "gzip",
        Contracts.CompressionKinds.Brotli => "br",
        _ => null,
    };

    /// <summary>Reads a Content-Encoding field value; <c>identity</c> and an empty value are no coding at all.</summary>
    public static ContentCoding Parse(ReadOnlySpan<byte> value)
    {
        value = value.Trim(" \t"u8);
        if (value.IsEmpty || System.Text.Ascii.EqualsIgnoreCase(value, "identity"u8))
        {
            return ContentCoding.None;
        }

        if (System.Text.Ascii.EqualsIgnoreCase(value, "gzip"u8) || System.Text.Ascii.EqualsIgnoreCase(value, "x-gzip"u8))
        {
            return ContentCoding.Gzip;
        }

        return System.Text.Ascii.EqualsIgnoreCase(value, "br"u8) ? ContentCoding.Brotli : ContentCoding.Other;
    }
}
