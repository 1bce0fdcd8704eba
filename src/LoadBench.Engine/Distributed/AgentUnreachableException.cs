namespace LoadBench.Engine.Distributed;

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
