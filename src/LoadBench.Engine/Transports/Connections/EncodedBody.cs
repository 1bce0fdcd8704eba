using System.IO.Compression;
using System.Text;
using LoadBench.Engine.Metrics;

namespace LoadBench.Engine.Transports.Connections;

/// <summary>
/// A compressed HTTP/2 response body as the client reads it (a <see cref="ReadCountingStream"/> under the
/// decompressor), each byte reported to the meter as the wire's payload (<see cref="WireMeter.EncodedBody"/>). Over HTTP/1.1 the scanner finds a compressed body on the socket itself;
/// over HTTP/2 the body is the stream's DATA payloads, which the connection hands to this response's content
/// stream one for one (no padding is removed that was not framing), so the bytes read here are exactly the
/// compressed body that crossed the wire. HttpClient's own decompression would sit above this point, where the
/// compressed bytes are gone: the clients decode themselves (<see cref="Decoding"/>).
/// </summary>
internal static class EncodedBody
{
    /// <summary>The decoded body of <paramref name="content"/>, its compressed bytes counted on the way: a gzip or br
    /// body is inflated here; any other coding (none, or one the engine does not decode) is returned as it came, not
    /// counted as compressed (its bytes stay framing, as over HTTP/1.1).</summary>
    public static Stream Decoding(Stream content, IEnumerable<string> contentEncoding, WireMeter meter)
    {
        ArgumentNullException.ThrowIfNull(contentEncoding);
        return Decoding(content, ContentCodings.Parse(Encoding.ASCII.GetBytes(string.Join(",", contentEncoding))), meter);
    }

    public static Stream Decoding(Stream content, ContentCoding coding, WireMeter meter) => coding switch
    {
        ContentCoding.Gzip => new GZipStream(new ReadCountingStream(content, meter.EncodedBody), CompressionMode.Decompress),
        ContentCoding.Brotli => new BrotliStream(new ReadCountingStream(content, meter.EncodedBody), CompressionMode.Decompress),
        _ => content,
    };
}
