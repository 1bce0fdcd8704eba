using LoadBench.Reporting.Model;
using LoadBench.Reporting.Noise;
using ScottPlot;
using ScottPlot.TickGenerators;

namespace LoadBench.Reporting.Charts;

/// <summary>Chart (c): events/s and p99 latency against client count, one line per transport.</summary>
internal static class ScalingCharts
{
    public static ChartImage Throughput(string runName, ScalingFamily family, ReportOptions options)
    {
        var title = $"{runName} · Events delivered per second by client count\n{family.Describe()}";
        using var plot = ChartCanvas.Create(title, "Clients (log scale)", "Events delivered per second (events/s)");

        AddSeries(plot, family, s => s.Throughput.EventsPerSecond);

        // Every client should receive every event: clients × publish rate is the most a transport can deliver.
        // Drawn last, dashed, so it stays visible where transports that kept up lie on it.
        var counts = family.ClientCounts;
        var ideal = plot.Add.Scatter(counts.Select(c => Math.Log10(c)).ToArray(), counts.Select(c => c * family.RatePerSecond).ToArray(), Colors.Black);
        ideal.LegendText = "ideal: clients × publish rate";
        ideal.LinePattern = LinePattern.Dashed;
        ideal.LineWidth = 1.5f;
        ideal.MarkerSize = 0;
        var max = Math.Max(family.Series.SelectMany(s => s.Points).Max(p => p.Throughput.EventsPerSecond), counts.Max() * family.RatePerSecond);
        Finish(plot, counts);
        plot.Axes.SetLimitsY(0, ChartCanvas.Headroom(max));
        var alt = "Events delivered per second against client count: " + Describe(family, s => Format.Rate(s.Throughput.EventsPerSecond)) + ".";
        return ChartCanvas.Render(plot, $"events-per-second-vs-clients-{family.Slug()}", $"Events/s by client count — {family.Describe()}", alt, options);
    }

    public static ChartImage P99(string runName, ScalingFamily family, ReportOptions options)
    {
        var title = $"{runName} · p99 latency (publish → receive) by client count\n{family.Describe()}";
        var spreads = family.Series.SelectMany(s => s.Points).Select(p => (Point: p, Spread: ScenarioSpread.OfLatency(p, 99))).Where(x => x.Spread is not null).ToList();
        var y = YScale.For(family.Series.SelectMany(s => s.Points).Where(p => p.Latency.Event.Count > 0).Select(p => p.Latency.Event.P99Ms)
            .Concat(spreads.SelectMany(x => new[] { x.Spread!.Low, x.Spread.High })));
        var basis = spreads.Count == 0 ? null : spreads.Any(x => x.Spread!.Basis == SpreadBasis.Trials) ? "; whiskers: lowest to highest trial" : "; whiskers: 95% interval";
        using var plot = ChartCanvas.Create(title, "Clients (log scale)" + basis, y.Label("p99 latency (ms)"));
        // With trials the line joins the medians (the table's figures); a single run's own p99 otherwise.
        AddSeries(plot, family, s => s.Latency.Event.Count > 0 ? y.Map(ScenarioSpread.OfLatency(s, 99) is { Basis: SpreadBasis.Trials } t ? t.Value : s.Latency.Event.P99Ms) : double.NaN);
        var counts = family.ClientCounts;
        var cap = Math.Max(Math.Log10(counts[^1]) - Math.Log10(counts[0]), 0.1) * 0.012;
        foreach (var (point, spread) in spreads)
        {
            Whiskers.Add(plot, Math.Log10(point.Clients), y.Map(spread!.Low), y.Map(spread.High), TransportColors.Color(point.Transport), cap);
        }

        Finish(plot, family.ClientCounts);
        y.Apply(plot);
        var alt = "p99 latency in milliseconds against client count: " + Describe(family, s => Format.Ms(s.Latency.Event.P99Ms) + " ms") + ".";
        return ChartCanvas.Render(plot, $"p99-vs-clients-{family.Slug()}", $"p99 latency by client count — {family.Describe()}", alt, options);
    }

    private static void AddSeries(Plot plot, ScalingFamily family, Func<Results.ScenarioResult, double> value)
    {
        var perTransport = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var series in family.Series)
        {
            // A scenario with no delivered event has no latency: leave it out rather than draw a zero.
            var points = series.Points.Select(p => (X: Math.Log10(p.Clients), Y: value(p))).Where(p => !double.IsNaN(p.Y)).ToList();
            if (points.Count == 0)
            {
                continue;
            }

            var index = perTransport[series.Transport] = perTransport.GetValueOrDefault(series.Transport, -1) + 1;
            var line = plot.Add.Scatter(points.Select(p => p.X).ToArray(), points.Select(p => p.Y).ToArray(), TransportColors.Color(series.Transport));
            line.LegendText = series.Label;
            line.LineWidth = 2.5f;
            // Transports that measured the same value overlap: a shape and size per transport keeps each visible.
            var rank = ScenarioOrder.TransportRank(series.Transport);
            line.MarkerShape = ChartCanvas.Marker(rank);
            line.MarkerSize = 13 - 2 * Math.Min(rank, 4);
            line.LinePattern = ChartCanvas.Pattern(index);
        }
    }

    private static void Finish(Plot plot, IReadOnlyList<int> clientCounts)
    {
        var ticks = new NumericManual();
        foreach (var count in clientCounts)
        {
            ticks.AddMajor(Math.Log10(count), Format.Count(count));
        }

        plot.Axes.Bottom.TickGenerator = ticks;
        var span = Math.Max(Math.Log10(clientCounts[^1]) - Math.Log10(clientCounts[0]), 0.1);
        plot.Axes.SetLimitsX(Math.Log10(clientCounts[0]) - span * 0.05, Math.Log10(clientCounts[^1]) + span * 0.05);
        plot.ShowLegend(Edge.Right);
    }

    private static string Describe(ScalingFamily family, Func<Results.ScenarioResult, string> value) =>
        string.Join("; ", family.Series.Select(s => s.Label + " " + string.Join(", ", s.Points.Select(p => $"{Format.Count(p.Clients)} clients {value(p)}"))));
}
