using System.IO.Pipelines;

namespace LoadBench.Target.Stats;

internal sealed class CountingDuplexPipe(IDuplexPipe inner, ConnectionByteCounter counter) : IDuplexPipe
{
    public PipeReader Input { get; } = new CountingPipeReader(inner.Input, counter);

    public PipeWriter Output { get; } = new CountingPipeWriter(inner.Output, counter);
}
