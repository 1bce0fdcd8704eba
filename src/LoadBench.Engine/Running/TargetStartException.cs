namespace LoadBench.Engine.Running;

/// <summary>The target process could not be started or did not become ready; the message carries the
/// command, the reason and the last lines the process printed.</summary>
public sealed class TargetStartException : Exception
{
    public TargetStartException()
    {
    }

    public TargetStartException(string message)
        : base(message)
    {
    }

    public TargetStartException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
