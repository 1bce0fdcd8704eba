using System.IO.Pipelines;

namespace LoadBench.Target.Stats;

/// <summary>Reports the bytes Kestrel writes to the socket, at <see cref="Advance"/> (or a direct <see cref="WriteAsync"/>),
/// with their content, so response heads can be found.</summary>
internal sealed class CountingPipeWriter(PipeWriter inner, ConnectionByteCounter counter) : PipeWriter
{
    private Memory<byte> _lastMemory;

    public override Memory<byte> GetMemory(int sizeHint = 0) => _lastMemory = inner.GetMemory(sizeHint);

    public override Span<byte> GetSpan(int sizeHint = 0) => (_lastMemory = inner.GetMemory(sizeHint)).Span;

    public override void Advance(int bytes)
    {
        // Kestrel's BufferWriter advances several times within one span it got once, as the pipe allows:
        // what remains of the span stays the place the next bytes are written to.
        counter.OnWrite(_lastMemory.Span[..bytes]);
        _lastMemory = _lastMemory[bytes..];
        inner.Advance(bytes);
    }

    public override ValueTask<FlushResult> WriteAsync(ReadOnlyMemory<byte> source, CancellationToken cancellationToken = default)
    {
        _lastMemory = default;
        counter.OnWrite(source.Span);
        return inner.WriteAsync(source, cancellationToken);
    }

    public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
    {
        // A flush ends the writer's claim on the memory it got: the pipe may hand the block back to Kestrel's pool (and
        // the pool may free it). Kept here, it would pin 4 KiB per idle connection for as long as the connection lives.
        _lastMemory = default;
        return inner.FlushAsync(cancellationToken);
    }

    public override void CancelPendingFlush() => inner.CancelPendingFlush();

    public override void Complete(Exception? exception = null) => inner.Complete(exception);

    public override ValueTask CompleteAsync(Exception? exception = null) => inner.CompleteAsync(exception);

    public override bool CanGetUnflushedBytes => inner.CanGetUnflushedBytes;

    public override long UnflushedBytes => inner.UnflushedBytes;
}
