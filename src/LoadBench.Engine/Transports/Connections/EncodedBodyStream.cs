using System.IO.Compression;
using System.Runtime.CompilerServices;
using System.Text;
using LoadBench.Engine.Metrics;

namespace LoadBench.Engine.Transports.Connections;

/// <summary>
/// A compressed HTTP/2 response body as the client reads it, each byte reported to the meter as the wire's payload
/// (<see cref="WireMeter.EncodedBody"/>). Over HTTP/1.1 the scanner finds a compressed body on the socket itself;
/// over HTTP/2 the body is the stream's DATA payloads, which the connection hands to this response's content
/// stream one for one (no padding is removed that was not framing), so the bytes read here are exactly the
/// compressed body that crossed the wire. HttpClient's own decompression would sit above this point, where the
/// compressed bytes are gone: the clients decode themselves (<see cref="Decoding"/>).
/// </summary>
internal sealed class EncodedBodyStream(Stream inner, WireMeter meter) : Stream
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
        ContentCoding.Gzip => new GZipStream(new EncodedBodyStream(content, meter), CompressionMode.Decompress),
        ContentCoding.Brotli => new BrotliStream(new EncodedBodyStream(content, meter), CompressionMode.Decompress),
        _ => content,
    };

    public override bool CanRead => true;
    public override bool CanWrite => false;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(Span<byte> buffer)
    {
        var read = inner.Read(buffer);
        meter.EncodedBody(read);
        return read;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await inner.ReadAsync(buffer, cancellationToken);
        meter.EncodedBody(read);
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
