namespace LoadBench.Gate.Baselines;

/// <summary>A baseline that cannot be used (malformed, or made from other scenarios): the message says what and where.</summary>
public sealed class BaselineFormatException : Exception
{
    public BaselineFormatException()
    {
    }

    public BaselineFormatException(string message)
        : base(message)
    {
    }

    public BaselineFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
