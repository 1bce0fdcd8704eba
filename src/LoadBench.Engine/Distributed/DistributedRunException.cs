namespace LoadBench.Engine.Distributed;

/// <summary>A distributed run could not start or go on: NATS unreachable, too few agents within the wait, an agent
/// that refused its share. The message says what to do.</summary>
public sealed class DistributedRunException : Exception
{
    public DistributedRunException()
    {
    }

    public DistributedRunException(string message)
        : base(message)
    {
    }

    public DistributedRunException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
