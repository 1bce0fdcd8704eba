using LoadBench.Results;

namespace LoadBench.Cli;

/// <summary>Which scenarios failed by delivering nothing: those whose feed published (rate above 0). A scenario
/// that publishes nothing by design (an idle-cost measurement) delivers nothing and has not failed.</summary>
internal static class NoEventsCheck
{
    public static List<string> Failed(ResultsDocument results) =>
        [.. results.Scenarios.Where(s => s.Throughput.EventsDelivered == 0 && s.PublishRatePerSecond > 0).Select(s => s.Name)];
}
