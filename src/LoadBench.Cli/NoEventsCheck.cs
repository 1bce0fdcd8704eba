using LoadBench.Engine.Scenarios;
using LoadBench.Results;

namespace LoadBench.Cli;

/// <summary>Which scenarios failed by delivering nothing: those whose feed published (rate above 0). A scenario
/// that publishes nothing by design (an idle-cost measurement) delivers nothing and has not failed, nor has one
/// that opens no client (a RampingConstant to 0 copies measures the target idle, <see cref="IdleScenario"/>).
/// `run` and `gate` both judge through here, so a plan that passes one does not fail the other.</summary>
internal static class NoEventsCheck
{
    public static List<string> Failed(ResultsDocument results, IEnumerable<Scenario> planned)
    {
        var idleByLoad = planned.Where(IdleScenario.Is).Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        return [.. results.Scenarios
            .Where(s => s.Throughput.EventsDelivered == 0 && s.PublishRatePerSecond > 0 && !idleByLoad.Contains(s.Name))
            .Select(s => s.Name)];
    }
}
