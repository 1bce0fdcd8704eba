using LoadBench.Reporting.Model;
using LoadBench.Results;
using ScottPlot;

namespace LoadBench.Reporting.Charts;

/// <summary>Chart (d): p50 and p99 of each second of the measured phase, from the results' time series, with the
/// periods of any injected faults shaded (<see cref="FaultMarks"/>).</summary>
internal static class TimeSeriesChart
{
    public static ChartImage? Build(string runName, SetupGroup group, ReportOptions options)
    {
        // A second in which nothing was delivered has no latency (its p50/p99 read 0): leave it out rather than
        // draw a dive to zero that no event had.
        static IReadOnlyList<TimeSeriesPoint> Delivered(ScenarioResult s) => [.. s.TimeSeries.Where(p => p.EventsPerSecond > 0)];
        var withSeries = group.Scenarios.Where(s => Delivered(s).Count > 0).ToList();
        if (withSeries.Count == 0)
        {
            return null;
        }

        var title = $"{runName} · p50 and p99 latency over time (per second)\n{group.Setup.Describe()}";
        var y = YScale.For(withSeries.SelectMany(Delivered).SelectMany(p => new[] { p.P50Ms, p.P99Ms }));
        using var plot = ChartCanvas.Create(title, "Time since the measured phase began (s)", y.Label("Latency (ms)"));
        // Behind the lines: added first, drawn first.
        var faults = FaultMarks.Add(plot, withSeries);
        var perTransport = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var scenario in withSeries)
        {
            var index = perTransport[scenario.Transport] = perTransport.GetValueOrDefault(scenario.Transport, -1) + 1;
            var colour = TransportColors.Color(scenario.Transport);
            var points = Delivered(scenario);
            var t = points.Select(p => p.T).ToArray();

            var p99 = plot.Add.Scatter(t, y.Map(points.Select(p => p.P99Ms)), colour);
            p99.LegendText = $"{group.Label(scenario)} p99";
            p99.LineWidth = 2.5f;
            p99.MarkerSize = 5;
            p99.MarkerShape = ChartCanvas.Marker(index);

            // p50 in the same colour, thinner and dashed: the pair reads as one transport.
            var p50 = plot.Add.Scatter(t, y.Map(points.Select(p => p.P50Ms)), colour.WithAlpha(0.8));
            p50.LegendText = $"{group.Label(scenario)} p50";
            p50.LineWidth = 1.5f;
            p50.MarkerSize = 0;
            p50.LinePattern = LinePattern.Dashed;
        }

        var maxT = withSeries.Max(s => s.TimeSeries.Max(p => p.T));
        plot.Axes.SetLimitsX(0, Math.Max(maxT, 1) * 1.02);
        y.Apply(plot);
        plot.ShowLegend(Edge.Right);

        var alt = $"p50 (dashed) and p99 (solid) latency in milliseconds for each second of the measured phase, for {string.Join(", ", withSeries.Select(group.Label))}." +
            (faults > 0 ? " Shaded: the periods of the injected faults; dashed vertical lines: one-off faults." : "");
        return ChartCanvas.Render(plot, $"latency-over-time-{group.Setup.Slug()}", $"p50 and p99 over time — {group.Setup.Describe()}", alt, options);
    }
}
