using LoadBench.Contracts;
using LoadBench.Results;
using ScottPlot;
using ScottPlot.TickGenerators;

namespace LoadBench.Reporting.Charts;

/// <summary>
/// The "Limits" section's charts: p99 and events/s against the varied load, one line per transport, the SLO's
/// p99 limit as a dashed line and each transport's limit (highest level that met the SLO) ringed.
/// </summary>
internal static class LimitsCharts
{
    public static ChartImage? P99(string runName, string vary, IReadOnlyList<LimitSearchResult> searches, ReportOptions options)
    {
        var sloLimit = SloP99(searches);
        var values = searches.SelectMany(s => s.Steps).Where(s => s.P99Ms > 0).Select(s => s.P99Ms).ToList();
        if (values.Count == 0)
        {
            return null;
        }

        var y = YScale.For(sloLimit is { } l ? values.Append(l) : values);
        var title = $"{runName} · p99 latency against {Axis(vary)}\nSLO: {string.Join(", ", searches[0].Slo)}";
        using var plot = ChartCanvas.Create(title, $"{Axis(vary)} (log scale)", y.Label("p99 latency (ms)"));
        AddLines(plot, searches, s => s.P99Ms > 0 ? y.Map(s.P99Ms) : double.NaN);
        if (sloLimit is { } limit)
        {
            var levels = Levels(searches);
            var line = plot.Add.Scatter(new[] { Math.Log10(levels[0]), Math.Log10(levels[^1]) }, new[] { y.Map(limit), y.Map(limit) }, Colors.Black);
            line.LegendText = $"SLO: p99 ≤ {Format.Ms(limit)} ms";
            line.LinePattern = LinePattern.Dashed;
            line.LineWidth = 1.5f;
            line.MarkerSize = 0;
        }

        Finish(plot, searches);
        y.Apply(plot);
        var alt = $"p99 latency against {Axis(vary)}: " + Describe(searches, s => Format.Ms(s.P99Ms) + " ms") + ".";
        return ChartCanvas.Render(plot, $"limits-p99-vs-{Slug(vary)}", $"Limits: p99 latency against {Axis(vary)}", alt, options);
    }

    public static ChartImage? Throughput(string runName, string vary, IReadOnlyList<LimitSearchResult> searches, ReportOptions options)
    {
        if (searches.All(s => s.Steps.Count == 0))
        {
            return null;
        }

        var title = $"{runName} · Events delivered per second against {Axis(vary)}";
        using var plot = ChartCanvas.Create(title, $"{Axis(vary)} (log scale)", "Events delivered per second (events/s)");
        AddLines(plot, searches, s => s.EventsPerSecond);
        Finish(plot, searches);
        plot.Axes.SetLimitsY(0, ChartCanvas.Headroom(searches.SelectMany(s => s.Steps).Max(s => s.EventsPerSecond)));
        var alt = $"Events per second against {Axis(vary)}: " + Describe(searches, s => Format.Rate(s.EventsPerSecond) + " events/s") + ".";
        return ChartCanvas.Render(plot, $"limits-events-per-second-vs-{Slug(vary)}", $"Limits: events/s against {Axis(vary)}", alt, options);
    }

    /// <summary>What the x axis shows, in words.</summary>
    public static string Axis(string vary) => vary == "copies" ? "clients" : "events published per second";

    private static string Slug(string vary) => vary == "copies" ? "clients" : "rate";

    private static double? SloP99(IReadOnlyList<LimitSearchResult> searches) =>
        searches.SelectMany(s => s.Slo).Select(ParseP99).FirstOrDefault(v => v is not null);

    /// <summary>The limit of a <c>latency/p99 &lt;= N ms</c> (or <c>&lt;</c>) rule as written; other rules draw no line.</summary>
    private static double? ParseP99(string rule) =>
        Syntax.Rules.RuleExpression.Parse(rule, out _) is Syntax.Rules.AbsoluteRule { Metric.Name: "latency/p99", Comparison: Syntax.Rules.Comparison.AtMost or Syntax.Rules.Comparison.Below } r
            ? r.Limit
            : null;

    private static void AddLines(Plot plot, IReadOnlyList<LimitSearchResult> searches, Func<LimitStep, double> value)
    {
        foreach (var search in searches)
        {
            var points = search.Steps.OrderBy(s => s.Level).Select(s => (Step: s, X: Math.Log10(s.Level), Y: value(s))).Where(p => !double.IsNaN(p.Y)).ToList();
            if (points.Count == 0)
            {
                continue;
            }

            var color = TransportColors.Color(search.Transport);
            var line = plot.Add.Scatter(points.Select(p => p.X).ToArray(), points.Select(p => p.Y).ToArray(), color);
            line.LegendText = TransportIds.DisplayName(search.Transport);
            line.LineWidth = 2.5f;
            line.MarkerSize = 7;
            if (search.HighestMet is { } met && points.FirstOrDefault(p => p.Step.Level == met) is { Step: not null } at)
            {
                var ring = plot.Add.Scatter(new[] { at.X }, new[] { at.Y }, color);
                ring.LegendText = $"{TransportIds.DisplayName(search.Transport)} limit: {Format.Rate(met)}";
                ring.MarkerShape = MarkerShape.OpenCircle;
                ring.MarkerSize = 18;
                ring.LineWidth = 0;
            }
        }
    }

    private static double[] Levels(IReadOnlyList<LimitSearchResult> searches) =>
        [.. searches.SelectMany(s => s.Steps).Select(s => s.Level).Distinct().Order()];

    private static void Finish(Plot plot, IReadOnlyList<LimitSearchResult> searches)
    {
        var levels = Levels(searches);
        var ticks = new NumericManual();
        // Labels on the doubling steps only: the bisected levels between them would print over each other.
        var from = searches.Min(s => s.From);
        foreach (var level in levels.Where(l => IsDoubling(l, from) || l == levels[^1]))
        {
            ticks.AddMajor(Math.Log10(level), Format.Rate(level));
        }

        plot.Axes.Bottom.TickGenerator = ticks;
        var span = Math.Max(Math.Log10(levels[^1]) - Math.Log10(levels[0]), 0.1);
        plot.Axes.SetLimitsX(Math.Log10(levels[0]) - span * 0.05, Math.Log10(levels[^1]) + span * 0.05);
        plot.ShowLegend(Edge.Right);
    }

    private static bool IsDoubling(double level, double from)
    {
        var doublings = Math.Log2(level / from);
        return Math.Abs(doublings - Math.Round(doublings)) < 1e-9;
    }

    private static string Describe(IReadOnlyList<LimitSearchResult> searches, Func<LimitStep, string> value) =>
        string.Join("; ", searches.Select(s => TransportIds.DisplayName(s.Transport) + " " +
            string.Join(", ", s.Steps.OrderBy(x => x.Level).Select(x => $"{Format.Rate(x.Level)}: {value(x)}"))));
}
