using System.Buffers;
using System.IO.Pipelines;

namespace LoadBench.Target.Stats;

/// <summary>Reports the bytes Kestrel consumes from the socket: counted at <see cref="AdvanceTo(SequencePosition)"/>,
/// so bytes examined but not yet consumed are counted once, when consumed.</summary>
internal sealed class CountingPipeReader(PipeReader inner, ConnectionByteCounter counter) : PipeReader
{
    private ReadOnlySequence<byte> _lastBuffer;

    public override ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
    {
        var pending = inner.ReadAsync(cancellationToken);
        if (pending.IsCompletedSuccessfully)
        {
            var result = pending.Result;
            _lastBuffer = result.Buffer;
            return ValueTask.FromResult(result);
        }

        return AwaitRead(pending);
    }

    public override bool TryRead(out ReadResult result)
    {
        if (inner.TryRead(out result))
        {
            _lastBuffer = result.Buffer;
            return true;
        }

        return false;
    }

    public override void AdvanceTo(SequencePosition consumed) => AdvanceTo(consumed, consumed);

    public override void AdvanceTo(SequencePosition consumed, SequencePosition examined)
    {
        if (!_lastBuffer.IsEmpty)
        {
            counter.OnRead(_lastBuffer.Slice(_lastBuffer.Start, consumed));
            _lastBuffer = default;
        }

        inner.AdvanceTo(consumed, examined);
    }

    public override void CancelPendingRead() => inner.CancelPendingRead();

    public override void Complete(Exception? exception = null) => inner.Complete(exception);

    public override ValueTask CompleteAsync(Exception? exception = null) => inner.CompleteAsync(exception);

    private async ValueTask<ReadResult> AwaitRead(ValueTask<ReadResult> pending)
    {
        var result = await pending;
        _lastBuffer = result.Buffer;
        return result;
    }
}
