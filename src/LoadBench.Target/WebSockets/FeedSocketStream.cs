using System.Net.WebSockets;

namespace LoadBench.Target.WebSockets;

/// <summary>
/// The stream under an uncompressed feed WebSocket. The runtime's WebSocket reads and writes through it as ever
/// (the client's frames, its pongs, pings and close); the feed's send loop writes batches of whole text frames
/// beside it (<see cref="WriteFramesAsync"/>) — every event ready for the subscriber in one write — instead of one
/// <c>SendAsync</c> per event, each of which copies the payload into the socket's own buffer and ends in a write
/// and a flush of its own. One lock keeps the two writers' frames whole and in order.
/// </summary>
/// <remarks>
/// Only for sockets without permessage-deflate: a compressed message depends on the connection's compressor, so it
/// goes through <c>SendAsync</c>. The runtime writes every frame with one write call (header and payload from one
/// buffer), so the first byte of each of its writes is a frame's first byte: once it has written a close frame, the
/// send loop's frames are refused — RFC 6455 allows no data frame after a close.
/// </remarks>
internal sealed class FeedSocketStream(Stream inner) : Stream
{
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private bool _closeWritten;

    public override bool CanRead => inner.CanRead;
    public override bool CanSeek => false;
    public override bool CanWrite => inner.CanWrite;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    /// <summary>
    /// Writes whole text frames (<see cref="WebSocketFrames"/>) as one write — Kestrel's upgraded stream sends every
    /// write at once. False, and nothing written, when the runtime has already written a close frame.
    /// </summary>
    public async ValueTask<bool> WriteFramesAsync(ReadOnlyMemory<byte> frames, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            if (_closeWritten)
            {
                return false;
            }

            await inner.WriteAsync(frames, cancellationToken);
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // As the runtime's own sends report a connection that went away.
            throw new WebSocketException(WebSocketError.ConnectionClosedPrematurely, e);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            NoteFrame(buffer.Span);
            await inner.WriteAsync(buffer, cancellationToken);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count)
    {
        _writeLock.Wait();
        try
        {
            NoteFrame(buffer.AsSpan(offset, count));
            inner.Write(buffer, offset, count);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            await inner.FlushAsync(cancellationToken);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public override void Flush()
    {
        _writeLock.Wait();
        try
        {
            inner.Flush();
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>
    /// Completes when the client has sent something (or the connection ended), reading nothing: a zero-byte read of
    /// the stream under the socket, for the receive loop to wait without a receive in progress. Only before the
    /// socket's first receive: the runtime's WebSocket may keep bytes it read ahead, which this read cannot see.
    /// Not cancellable: it ends with the connection (an aborted socket aborts the request).
    /// </summary>
    public ValueTask<int> WaitForDataAsync() => inner.ReadAsync(Memory<byte>.Empty, CancellationToken.None);

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        inner.ReadAsync(buffer, cancellationToken);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        inner.ReadAsync(buffer, offset, count, cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        // The lock is not disposed: a write may still be leaving it (it holds no wait handle unless one was asked for).
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    private void NoteFrame(ReadOnlySpan<byte> frame)
    {
        if (!frame.IsEmpty && (frame[0] & 0x0F) == WebSocketFrames.CloseOpcode)
        {
            _closeWritten = true;
        }
    }
}
