using LoadBench.Syntax.Json;

namespace LoadBench.Gate.Thresholds;

/// <summary>Thresholds that cannot be used; the message lists every problem, one per line, each naming the
/// file, line, column and field (the CLI exits 2).</summary>
public sealed class ThresholdFileException : Exception
{
    public ThresholdFileException(IReadOnlyList<JsonSourceError> errors)
        : base(JsonSourceError.Lines(errors ?? throw new ArgumentNullException(nameof(errors))))
    {
        Errors = errors;
    }

    public ThresholdFileException()
        : this([])
    {
    }

    public ThresholdFileException(string message)
        : base(message)
    {
        Errors = [];
    }

    public ThresholdFileException(string message, Exception innerException)
        : base(message, innerException)
    {
        Errors = [];
    }

    public IReadOnlyList<JsonSourceError> Errors { get; }
}
