using System.Runtime.CompilerServices;
using LoadBench.Engine.Metrics;

namespace LoadBench.Engine.Transports.Connections;

/// <summary>
/// Wraps one connection's <see cref="System.Net.Sockets.NetworkStream"/> and reports every byte that crosses it
/// to the client's <see cref="WireMeter"/>, split into head and non-head bytes by one scanner per direction.
/// HttpClient and ClientWebSocket both do all their I/O through this stream, so nothing escapes the count:
/// request heads, response heads, chunk lines, the upgrade handshake, WebSocket frames in both directions.
/// </summary>
internal sealed class CountingStream : Stream
{
    private readonly Stream _inner;
    private readonly WireMeter _meter;
    private readonly HttpMessageScanner _requests = new(isResponse: false);
    private readonly HttpMessageScanner _responses = new(isResponse: true);

    // Only with compression: the server's frames after an upgrade, to find the compressed message bytes in them.
    private WebSocketFrameScanner? _frames;

    public CountingStream(Stream inner, WireMeter meter)
    {
        _inner = inner;
        _meter = meter;
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

        if (_frames is not null)
        {
            _meter.OnRead(bytes.Length, 0, ScanFrames(bytes));
            return;
        }

        var encodedBefore = _responses.EncodedBodyBytes;
        var head = _responses.Scan(bytes);
        var encoded = _responses.EncodedBodyBytes - encodedBefore;
        if (_meter.Compressed && _responses.Upgraded)
        {
            // The 101 head ended in this read: what follows it is the server's first frames. Only one request was
            // sent on a connection that upgrades, so the head bytes are all at the start.
            _frames = new WebSocketFrameScanner();
            encoded += ScanFrames(bytes[head..]);
        }

        _meter.OnRead(bytes.Length, head, encoded);
    }

    private long ScanFrames(ReadOnlySpan<byte> bytes)
    {
        var before = _frames!.DataPayloadBytes;
        _frames.Scan(bytes);
        return _frames.DataPayloadBytes - before;
    }

    private void CountWritten(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
        {
            return;
        }

        // After a 101 the client writes WebSocket frames, never another request head.
        if (_responses.Upgraded)
        {
            _requests.StopScanning();
        }

        var head = _requests.Scan(bytes);
        _meter.OnWritten(bytes.Length, head);
    }
}
