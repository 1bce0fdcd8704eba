namespace LoadBench.Engine.Scenarios;

/// <summary>One problem in a scenario file, at a place a person can find.</summary>
/// <param name="File">The path as given.</param>
/// <param name="Line">1-based line.</param>
/// <param name="Column">1-based column.</param>
/// <param name="Field">JSON path of the field, e.g. <c>scenarios[1].load[0].copies</c>; empty for syntax errors.</param>
/// <param name="Message">What is wrong, and what is expected.</param>
public sealed record ScenarioFileError(string File, int Line, int Column, string Field, string Message)
{
    /// <summary><c>scenarios/bad.json:7:21: field 'scenarios[1].load[0].copies': must be a positive integer, got -3</c></summary>
    public override string ToString() =>
        Field.Length == 0 ? $"{File}:{Line}:{Column}: {Message}" : $"{File}:{Line}:{Column}: field '{Field}': {Message}";
}

/// <summary>
/// A scenario file that cannot be run. <see cref="Exception.Message"/> lists every problem found, one per line,
/// each naming the file, line, column and field (the CLI prints it and exits with code 2).
/// </summary>
public sealed class ScenarioFileException : Exception
{
    public ScenarioFileException(IReadOnlyList<ScenarioFileError> errors)
        : base(string.Join(Environment.NewLine, (errors ?? throw new ArgumentNullException(nameof(errors))).Select(e => e.ToString())))
    {
        Errors = errors;
    }

    public ScenarioFileException()
        : this([])
    {
    }

    public ScenarioFileException(string message)
        : base(message)
    {
        Errors = [];
    }

    public ScenarioFileException(string message, Exception innerException)
        : base(message, innerException)
    {
        Errors = [];
    }

    public IReadOnlyList<ScenarioFileError> Errors { get; }
}
