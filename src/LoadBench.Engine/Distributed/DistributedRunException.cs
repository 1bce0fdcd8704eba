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

/// <summary>An agent did not answer a request in time (it died, or NATS lost it).</summary>
internal sealed class AgentUnreachableException : Exception
{
    public AgentUnreachableException(string subject, string reason, Exception? innerException)
        : base($"No answer on {subject}: {reason}", innerException)
    {
    }

    public AgentUnreachableException()
    {
    }

    public AgentUnreachableException(string message)
        : base(message)
    {
    }

    public AgentUnreachableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
