using LoadBench.Results;

namespace LoadBench.Engine.Running;

/// <summary>
/// A scenario stopped before its end (<see cref="RunStop"/>). It is an <see cref="OperationCanceledException"/>, so
/// callers that only stop on cancellation keep working; callers that keep results catch it for
/// <see cref="Partial"/>: the figures measured so far, marked incomplete.
/// </summary>
internal sealed class ScenarioInterruptedException : OperationCanceledException
{
    public ScenarioInterruptedException(string scenario, string where, ScenarioResult? partial, Exception innerException, CancellationToken token)
        : base($"scenario '{scenario}' stopped {where}", innerException, token)
    {
        Scenario = scenario;
        Where = where;
        Partial = partial;
    }

    /// <summary>The scenario that was running.</summary>
    public string Scenario { get; }

    /// <summary>Where it stopped, in words (e.g. <c>in its measured phase after 4.2 s of 10 s</c>).</summary>
    public string Where { get; }

    /// <summary>The measured phase so far, marked incomplete; null when it stopped before its measured phase began.</summary>
    public ScenarioResult? Partial { get; }
}
