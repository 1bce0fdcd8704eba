namespace LoadBench.Gate.Thresholds;

/// <summary>One problem in a scenario file's <c>thresholds</c>, at a place a person can find.</summary>
public sealed record ThresholdError(string File, int Line, int Column, string Field, string Message)
{
    /// <summary><c>scenarios/gate.json:12:9: field 'thresholds.sse[1]': unknown metric 'p99' (did you mean 'latency/p99'?)</c></summary>
    public override string ToString() =>
        Field.Length == 0 ? $"{File}:{Line}:{Column}: {Message}" : $"{File}:{Line}:{Column}: field '{Field}': {Message}";
}

/// <summary>Thresholds that cannot be used; the message lists every problem, one per line (the CLI exits 2).</summary>
public sealed class ThresholdFileException : Exception
{
    public ThresholdFileException(IReadOnlyList<ThresholdError> errors)
        : base(string.Join(Environment.NewLine, (errors ?? throw new ArgumentNullException(nameof(errors))).Select(e => e.ToString())))
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

    public IReadOnlyList<ThresholdError> Errors { get; }
}
