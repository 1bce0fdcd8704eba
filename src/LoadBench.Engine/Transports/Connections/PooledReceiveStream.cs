using System.Buffers;
using System.Net.Sockets;

namespace LoadBench.Engine.Transports.Connections;

/// <summary>
/// A socket as a stream that holds no receive buffer while it waits: a zero-byte read waits for data on the socket
/// itself, and a small read (a WebSocket frame header) takes a pooled 4 KiB buffer only once data is there, fills
/// it in one receive, and gives the buffer back as soon as its bytes are read out. Large reads go straight to the
/// caller's memory.
/// </summary>
/// <remarks>
/// Why (issue 14): the managed WebSocket reads a frame's header into its own 125-byte buffer and the payload into
/// the caller's; straight on a socket that is two receives per event, where HttpClient's connection used to serve
/// both from its 4 KiB buffer — kept for the connection's whole life. This keeps the one receive per event and
/// drops the buffer between events (the same trade Kestrel makes with its zero-byte reads).
/// </remarks>
internal sealed class PooledReceiveStream(Socket socket) : Stream
{
    private const int BufferBytes = 4096;

    private byte[]? _buffer;  // bytes received and not yet read out: [_start, _end)
    private int _start;
    private int _end;

    /// <summary>True while received bytes wait to be read out (a pooled buffer is held for them).</summary>
    public bool Holding => _buffer is not null;

    public override bool CanRead => true;
    public override bool CanWrite => true;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_buffer is not null)
        {
            return ValueTask.FromResult(Take(buffer.Span)); // a zero-byte read returns at once: data is there
        }

        return buffer.IsEmpty || buffer.Length >= BufferBytes
            ? socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken)
            : FillAsync(buffer, cancellationToken);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(Span<byte> buffer) => _buffer is not null ? Take(buffer) : socket.Receive(buffer);

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (!buffer.IsEmpty)
        {
            buffer = buffer[await socket.SendAsync(buffer, SocketFlags.None, cancellationToken)..];
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            buffer = buffer[socket.Send(buffer)..];
        }
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            socket.Dispose();
            if (_buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = null;
            }
        }

        base.Dispose(disposing);
    }

    private async ValueTask<int> FillAsync(Memory<byte> destination, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferBytes);
        int read;
        try
        {
            read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }

        var n = Math.Min(read, destination.Length);
        buffer.AsSpan(0, n).CopyTo(destination.Span);
        if (n == read)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        else
        {
            _buffer = buffer;
            _start = n;
            _end = read;
        }

        return n;
    }

    private int Take(Span<byte> destination)
    {
        var n = Math.Min(destination.Length, _end - _start);
        _buffer.AsSpan(_start, n).CopyTo(destination);
        _start += n;
        if (_start == _end)
        {
            ArrayPool<byte>.Shared.Return(_buffer!);
            _buffer = null;
        }

        return n;
    }
}
