using LoadBench.Results;

namespace LoadBench.Reporting.Model;

/// <summary>The scenarios of one <see cref="Setup"/>, in the order every table and chart shows them.</summary>
internal sealed record SetupGroup(Setup Setup, IReadOnlyList<ScenarioResult> Scenarios)
{
    /// <summary>Groups a document's scenarios by setup: by publish rate, payload, then client count.</summary>
    public static IReadOnlyList<SetupGroup> All(ResultsDocument results)
    {
        ArgumentNullException.ThrowIfNull(results);
        return [.. results.Scenarios
            .GroupBy(Setup.Of)
            .OrderBy(g => g.Key.RatePerSecond)
            .ThenBy(g => g.Key.PayloadBytes)
            .ThenBy(g => g.Key.Clients)
            .Select(g => new SetupGroup(g.Key, ScenarioOrder.Sort(g)))];
    }

    /// <summary>The label of a scenario inside this group (see <see cref="ScenarioOrder.Label"/>).</summary>
    public string Label(ScenarioResult scenario) => ScenarioOrder.Label(scenario, Scenarios);
}
