namespace LoadBench.Results;

/// <summary>A results document (or a part of it) that cannot be read: the message says what and where.</summary>
public sealed class ResultsFormatException : Exception
{
    public ResultsFormatException()
    {
    }

    public ResultsFormatException(string message)
        : base(message)
    {
    }

    public ResultsFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
