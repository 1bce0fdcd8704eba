using LoadBench.Results;

namespace LoadBench.Cli;

/// <summary>Which scenarios failed by delivering nothing: those whose feed published (rate above 0). A scenario
/// that publishes nothing by design (an idle-cost measurement) delivers nothing and has not failed, nor has one
/// that opens no client (<paramref name="idleByLoad"/>: a RampingConstant to 0 copies measures the target idle).</summary>
internal static class NoEventsCheck
{
    public static List<string> Failed(ResultsDocument results, IReadOnlySet<string>? idleByLoad = null) =>
        [.. results.Scenarios
            .Where(s => s.Throughput.EventsDelivered == 0 && s.PublishRatePerSecond > 0 && idleByLoad?.Contains(s.Name) != true)
            .Select(s => s.Name)];
}
