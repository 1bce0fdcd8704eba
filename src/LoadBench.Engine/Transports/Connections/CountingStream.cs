using System.Runtime.CompilerServices;
using LoadBench.Engine.Metrics;

namespace LoadBench.Engine.Transports.Connections;

/// <summary>Which bytes a <see cref="CountingStream"/> sees: the socket's, the plaintext above TLS, or both at once
/// (a connection without TLS).</summary>
internal enum CountedLayer { SocketAndPlaintext, Socket, Plaintext }

/// <summary>
/// Wraps one connection's stream and reports every byte that crosses it to the client's <see cref="WireMeter"/>.
/// On the plaintext (the socket itself without TLS, the stream above <see cref="System.Net.Security.SslStream"/>
/// with it) the bytes are split into head and non-head bytes by one scanner per direction: HTTP/1.1 heads
/// (<see cref="HttpMessageScanner"/>) or HTTP/2 header blocks (<see cref="Http2FrameScanner"/>). Under TLS a second
/// instance sits on the socket, below TLS, and counts every byte there without scanning. HttpClient and
/// ClientWebSocket both do all their I/O through these streams, so nothing escapes the count: request heads,
/// response heads, chunk lines, the upgrade handshake, WebSocket frames in both directions, HTTP/2 frames, the
/// TLS handshake and records.
/// </summary>
internal sealed class CountingStream : Stream
{
    private readonly Stream _inner;
    private readonly WireMeter _meter;
    private readonly CountedLayer _layer;
    private readonly HttpMessageScanner? _requests;
    private readonly HttpMessageScanner? _responses;
    private readonly Http2FrameScanner? _h2Written;
    private readonly Http2FrameScanner? _h2Read;

    // Only with compression: the server's WebSocket frames after an upgrade, to find the compressed message bytes.
    private WebSocketFrameScanner? _frames;

    /// <param name="inner">The stream counted.</param>
    /// <param name="meter">Where the counts go.</param>
    /// <param name="layer">Socket bytes, plaintext bytes or both (no TLS).</param>
    /// <param name="http2">The plaintext is HTTP/2 (the client's side: it writes the preface).</param>
    public CountingStream(Stream inner, WireMeter meter, CountedLayer layer = CountedLayer.SocketAndPlaintext, bool http2 = false)
    {
        _inner = inner;
        _meter = meter;
        _layer = layer;
        if (layer == CountedLayer.Socket)
        {
            return;
        }

        if (http2)
        {
            _h2Written = new Http2FrameScanner(fromClient: true);
            _h2Read = new Http2FrameScanner(fromClient: false, webSocketData: meter.DeflatedFrames);
        }
        else
        {
            _requests = new HttpMessageScanner(isResponse: false);
            _responses = new HttpMessageScanner(isResponse: true);
        }
    }

    public override bool CanRead => true;
    public override bool CanWrite => true;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(Span<byte> buffer)
    {
        var read = _inner.Read(buffer);
        CountRead(buffer[..read]);
        return read;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int ReadByte()
    {
        Span<byte> one = stackalloc byte[1];
        return Read(one) == 0 ? -1 : one[0];
    }

    // Pooled builder: a client awaits one read per event, and this keeps that from allocating a box each time.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await _inner.ReadAsync(buffer, cancellationToken);
        CountRead(buffer.Span[..read]);
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        _inner.Write(buffer);
        CountWritten(buffer);
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await _inner.WriteAsync(buffer, cancellationToken);
        CountWritten(buffer.Span);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush() => _inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => _inner.FlushAsync(cancellationToken);

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }

    private void CountRead(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
        {
            return;
        }

        switch (_layer)
        {
            case CountedLayer.Socket:
                _meter.OnSocketRead(bytes.Length);
                break;
            case CountedLayer.Plaintext:
            {
                var (head, encoded) = ScanRead(bytes);
                _meter.OnPlaintext(bytes.Length, head, encoded);
                break;
            }

            default:
            {
                var (head, encoded) = ScanRead(bytes);
                _meter.OnRead(bytes.Length, head, encoded);
                break;
            }
        }
    }

    /// <summary>Head bytes in <paramref name="bytes"/>, and (with compression) compressed body bytes: a gzip or br
    /// body's, or the data-frame payloads of a permessage-deflate WebSocket.</summary>
    private (int Head, long Encoded) ScanRead(ReadOnlySpan<byte> bytes)
    {
        if (_h2Read is not null)
        {
            // A gzip or br body is counted by the client that reads it (EncodedBody); permessage-deflate's
            // messages here, in the WebSocket frames inside DATA frames.
            var before = _h2Read.WebSocketDataBytes;
            var headBytes = _h2Read.Scan(bytes);
            return (headBytes, _h2Read.WebSocketDataBytes - before);
        }

        if (_frames is not null)
        {
            return (0, ScanFrames(bytes));
        }

        var encodedBefore = _responses!.EncodedBodyBytes;
        var head = _responses.Scan(bytes);
        var encoded = _responses.EncodedBodyBytes - encodedBefore;
        if (_meter.Compressed && _responses.Upgraded)
        {
            // The 101 head ended in this read: what follows it is the server's first frames. Only one request was
            // sent on a connection that upgrades, so the head bytes are all at the start.
            _frames = new WebSocketFrameScanner();
            encoded += ScanFrames(bytes[head..]);
        }

        return (head, encoded);
    }

    private long ScanFrames(ReadOnlySpan<byte> bytes)
    {
        var before = _frames!.DataPayloadBytes;
        _frames.Scan(bytes);
        return _frames.DataPayloadBytes - before;
    }

    private int ScanWritten(ReadOnlySpan<byte> bytes)
    {
        if (_h2Written is not null)
        {
            return _h2Written.Scan(bytes);
        }

        // After a 101 the client writes WebSocket frames, never another request head.
        if (_responses!.Upgraded)
        {
            _requests!.StopScanning();
        }

        return _requests!.Scan(bytes);
    }

    private void CountWritten(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
        {
            return;
        }

        switch (_layer)
        {
            case CountedLayer.Socket:
                _meter.OnSocketWritten(bytes.Length);
                break;
            case CountedLayer.Plaintext:
                _meter.OnPlaintext(bytes.Length, ScanWritten(bytes));
                break;
            default:
                _meter.OnWritten(bytes.Length, ScanWritten(bytes));
                break;
        }
    }
}
