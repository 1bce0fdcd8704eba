using System.Globalization;
using LoadBench.Results;

namespace LoadBench.Engine.Running;

/// <summary>The document's incomplete mark when a run stopped early: why, in which scenario, and what never ran.</summary>
internal static class RunInterruption
{
    /// <param name="stop">The run's stop: says why.</param>
    /// <param name="where">Where the run stopped, e.g. <c>scenario 'sse' stopped in its warm-up</c>.</param>
    /// <param name="finished">How many scenario runs finished.</param>
    /// <param name="notStarted">Names of the scenarios (or trials) that never started.</param>
    /// <param name="time">The run's clock.</param>
    public static IncompleteMark Mark(
        RunStop stop, string where, int finished, IReadOnlyList<string> notStarted, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(stop);
        ArgumentNullException.ThrowIfNull(notStarted);
        var cause = stop.Cause ?? RunStop.InterruptedCause;
        var rest = notStarted.Count == 0 ? "none left to start" : "not started: " + string.Join(", ", notStarted);
        return new IncompleteMark
        {
            Reason = string.Create(CultureInfo.InvariantCulture, $"{cause}; {where}; {finished} finished; {rest}"),
            At = time.GetUtcNow(),
        };
    }

    /// <summary>Where a scenario stopped, for <see cref="Mark"/>.</summary>
    public static string Where(ScenarioInterruptedException interrupted)
    {
        ArgumentNullException.ThrowIfNull(interrupted);
        return $"scenario '{interrupted.Scenario}' stopped {interrupted.Where}";
    }
}
