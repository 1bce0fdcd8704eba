using System.Globalization;
using LoadBench.Results;

namespace LoadBench.Reporting.Model;

/// <summary>
/// Scenarios run at the same publish rate and payload over several client counts: what scales and what
/// saturates. A series is one transport (and poll interval) across client counts.
/// </summary>
internal sealed record ScalingFamily(double RatePerSecond, int PayloadBytes, IReadOnlyList<ScalingSeries> Series)
{
    public IReadOnlyList<int> ClientCounts => [.. Series.SelectMany(s => s.Points).Select(p => p.Clients).Distinct().Order()];

    /// <summary>"10 events/s · 256 B payload".</summary>
    public string Describe() => $"{Format.Rate(RatePerSecond)} events/s · {Format.Count(PayloadBytes)} B payload";

    public string Slug() => string.Create(CultureInfo.InvariantCulture, $"{RatePerSecond:0.###}eps-{PayloadBytes}B");

    /// <summary>Families with at least two client counts; a single count says nothing about scaling.</summary>
    public static IReadOnlyList<ScalingFamily> All(ResultsDocument results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var families = new List<ScalingFamily>();
        foreach (var family in results.Scenarios.GroupBy(s => (s.PublishRatePerSecond, s.PayloadBytes)).OrderBy(g => g.Key.PublishRatePerSecond).ThenBy(g => g.Key.PayloadBytes))
        {
            var members = family.ToList();
            if (members.Select(s => s.Clients).Distinct().Count() < 2)
            {
                continue;
            }

            // A series is one transport, poll interval and setup: HTTP/1.1 and HTTP/2 SSE are two lines, never one.
            var series = members
                .GroupBy(s => (s.Transport, s.PollIntervalMs, Setup: SetupResults.Of(s)))
                .Select(g => new ScalingSeries(g.Key.Transport, g.Key.PollIntervalMs, SeriesLabel(g.Key.Transport, g.Key.PollIntervalMs, g.Key.Setup, members), [.. g.OrderBy(s => s.Clients)]))
                .OrderBy(s => ScenarioOrder.TransportRank(s.Transport))
                .ThenBy(s => s.PollIntervalMs ?? 0)
                .ThenBy(s => s.Label, StringComparer.Ordinal)
                .ToList();
            families.Add(new ScalingFamily(family.Key.PublishRatePerSecond, family.Key.PayloadBytes, series));
        }

        return families;
    }

    private static string SeriesLabel(string transport, double? pollIntervalMs, SetupResult setup, IReadOnlyList<ScenarioResult> members)
    {
        var display = LoadBench.Contracts.TransportIds.DisplayName(transport);
        var same = members.Where(m => string.Equals(m.Transport, transport, StringComparison.Ordinal)).ToList();
        var intervals = same.Select(m => m.PollIntervalMs).Distinct().Count();
        var label = intervals > 1 && pollIntervalMs is { } interval ? $"{display} (every {Format.Ms(interval)} ms)" : display;
        return same.Select(SetupResults.Of).Distinct().Count() > 1 ? $"{label} ({SetupResults.DescribeDifference(setup)})" : label;
    }
}

/// <summary>One transport's scenarios across client counts, fewest clients first.</summary>
internal sealed record ScalingSeries(string Transport, double? PollIntervalMs, string Label, IReadOnlyList<ScenarioResult> Points);
