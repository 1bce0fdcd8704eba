using System.IO.Compression;
using System.Runtime.InteropServices;
using LoadBench.Engine.Metrics;

namespace LoadBench.Engine.Transports;

/// <summary>
/// Inflates a whole gzip or br response body (a poll's answer, read whole by
/// <see cref="Connections.KeepAliveConnection"/>) into one buffer the decoder keeps and grows, so a poller
/// allocates no output buffer per poll. One per client; not thread-safe, like the client.
/// </summary>
internal sealed class BodyDecoder
{
    private byte[] _buffer = new byte[4096];

    /// <summary>The decoded body, a view of this decoder's buffer valid until the next call. Throws
    /// <see cref="InvalidDataException"/> when the body is not valid in its coding, or the coding is not one the
    /// engine decodes.</summary>
    public ReadOnlyMemory<byte> Decode(ContentCoding coding, ReadOnlyMemory<byte> body) => coding switch
    {
        ContentCoding.None => body,
        ContentCoding.Brotli => DecodeBrotli(body.Span),
        ContentCoding.Gzip => DecodeGzip(body),
        _ => throw new InvalidDataException("The response came in a content coding the engine does not decode."),
    };

    private ReadOnlyMemory<byte> DecodeBrotli(ReadOnlySpan<byte> body)
    {
        using var decoder = new BrotliDecoder();
        var filled = 0;
        while (true)
        {
            var status = decoder.Decompress(body, _buffer.AsSpan(filled), out var consumed, out var written);
            body = body[consumed..];
            filled += written;
            switch (status)
            {
                case System.Buffers.OperationStatus.Done:
                    return _buffer.AsMemory(0, filled);
                case System.Buffers.OperationStatus.DestinationTooSmall:
                    Array.Resize(ref _buffer, _buffer.Length * 2);
                    break;
                default:
                    throw new InvalidDataException("The br body is cut short or corrupt.");
            }
        }
    }

    private ReadOnlyMemory<byte> DecodeGzip(ReadOnlyMemory<byte> body)
    {
        // GZipStream wants a stream: the body's bytes stay where they are (no copy), only the stream objects are made.
        var source = MemoryMarshal.TryGetArray(body, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(body.ToArray(), writable: false);
        using var gzip = new GZipStream(source, CompressionMode.Decompress);
        var filled = 0;
        while (true)
        {
            if (filled == _buffer.Length)
            {
                Array.Resize(ref _buffer, _buffer.Length * 2);
            }

            var read = gzip.Read(_buffer, filled, _buffer.Length - filled);
            if (read == 0)
            {
                return _buffer.AsMemory(0, filled);
            }

            filled += read;
        }
    }
}
