using LoadBench.Syntax.Json;

namespace LoadBench.Engine.Scenarios;

/// <summary>
/// A scenario file that cannot be run. <see cref="Exception.Message"/> lists every problem found, one per line,
/// each naming the file, line, column and field (the CLI prints it and exits with code 2).
/// </summary>
public sealed class ScenarioFileException : Exception
{
    public ScenarioFileException(IReadOnlyList<JsonSourceError> errors)
        : base(JsonSourceError.Lines(errors ?? throw new ArgumentNullException(nameof(errors))))
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

    public IReadOnlyList<JsonSourceError> Errors { get; }
}
