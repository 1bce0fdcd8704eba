using LoadBench.Contracts;
using LoadBench.Results;

namespace LoadBench.Reporting.Model;

/// <summary>Ordering and naming of scenarios for people: transports in <see cref="TransportIds.All"/> order.</summary>
internal static class ScenarioOrder
{
    public static int TransportRank(string transportId)
    {
        for (var i = 0; i < TransportIds.All.Count; i++)
        {
            if (string.Equals(TransportIds.All[i], transportId, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return TransportIds.All.Count;
    }

    public static IReadOnlyList<ScenarioResult> Sort(IEnumerable<ScenarioResult> scenarios) =>
        [.. scenarios
            .OrderBy(s => TransportRank(s.Transport))
            .ThenBy(s => s.Transport, StringComparer.Ordinal)
            .ThenBy(s => s.PollIntervalMs ?? 0)
            .ThenBy(s => SetupResults.Describe(s.Setup), StringComparer.Ordinal)
            .ThenBy(s => s.Name, StringComparer.Ordinal)];

    /// <summary>
    /// The transport's display name, plus what tells it apart when the same transport appears more than once
    /// among <paramref name="peers"/>: the setup when that differs (HTTP/2, TLS, compression…: each variant its own
    /// column and series, never merged), the poll interval when that differs (a poll-interval sweep), else the
    /// scenario name.
    /// </summary>
    public static string Label(ScenarioResult scenario, IEnumerable<ScenarioResult> peers)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        var display = TransportIds.DisplayName(scenario.Transport);
        var sameTransport = peers.Where(p => string.Equals(p.Transport, scenario.Transport, StringComparison.Ordinal)).ToList();
        if (sameTransport.Count <= 1)
        {
            return display;
        }

        var setups = sameTransport.Select(SetupResults.Of).Distinct().Count();
        var sameSetup = sameTransport.Count(p => SetupResults.Same(p, scenario));
        if (setups > 1 && sameSetup == 1)
        {
            return $"{display} ({SetupResults.DescribeDifference(scenario.Setup)})";
        }

        var intervals = sameTransport.Select(p => p.PollIntervalMs).Distinct().Count();
        var sameInterval = sameTransport.Count(p => p.PollIntervalMs == scenario.PollIntervalMs);
        if (intervals > 1 && sameInterval == 1 && scenario.PollIntervalMs is { } interval)
        {
            return $"{display} (every {Format.Ms(interval)} ms)";
        }

        return $"{display} ({scenario.Name})";
    }
}
