namespace LoadBench.Target.Compression;

/// <summary>
/// A write-only stream that flushes its compressor after every write. <see cref="System.Net.ServerSentEvents.SseFormatter"/>
/// writes each event with one write; Kestrel's response body sends every write at once, but a compressor keeps
/// the bytes in its window until it is flushed — and a gzip stream that is never flushed delivers an event only
/// when enough later ones have pushed it out. Flushing here makes the compressor's sync flush end every event:
/// each one decodes on arrival, so latency stays honest.
/// </summary>
internal sealed class FlushPerWriteStream(Stream compressor) : Stream
{
    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await compressor.WriteAsync(buffer, cancellationToken);
        await compressor.FlushAsync(cancellationToken);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count)
    {
        compressor.Write(buffer, offset, count);
        compressor.Flush();
    }

    // Every write already ended in a flush: another one would have nothing to send.
    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public override void Flush() { }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            compressor.Dispose();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await compressor.DisposeAsync();
        await base.DisposeAsync();
    }
}
