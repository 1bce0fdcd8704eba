using LoadBench.Reporting.Model;
using LoadBench.Reporting.Noise;
using LoadBench.Results;
using ScottPlot;
using ScottPlot.TickGenerators;

namespace LoadBench.Reporting.Charts;

/// <summary>
/// p50 and p99 of each transport of a setup with their spread — whiskers from the lowest to the highest trial and
/// a dot per trial, or one run's 95% bootstrap interval — so a reader sees whether two transports' ranges overlap
/// before reading any number. Drawn only when there is a spread to show.
/// </summary>
internal static class LatencySpreadChart
{
    private const double Offset = 0.14;
    private const double CapHalfWidth = 0.06;

    private sealed record Item(ScenarioResult Scenario, Spread P50, Spread P99);

    public static ChartImage? Build(string runName, SetupGroup group, ReportOptions options)
    {
        var items = group.Scenarios
            .Select(s => ScenarioSpread.OfLatency(s, 50) is { } p50 && ScenarioSpread.OfLatency(s, 99) is { } p99 ? new Item(s, p50, p99) : null)
            .OfType<Item>()
            .ToList();
        if (items.Count == 0)
        {
            return null;
        }

        var trials = items.Any(i => i.P99.Basis == SpreadBasis.Trials);
        var title = $"{runName} · p50 and p99 latency (publish → receive) with their spread\n{group.Setup.Describe()}";
        var xLabel = trials
            ? "Transport — median; whiskers from the lowest to the highest trial, dots are trials"
            : "Transport — this run; whiskers: 95% interval from resampling its one-second histograms";
        var y = YScale.For(items.SelectMany(i => new[] { i.P50.Low, i.P50.High, i.P99.Low, i.P99.High }));
        using var plot = ChartCanvas.Create(title, xLabel, y.Label("Latency (ms)"));

        var ticks = new NumericManual();
        for (var x = 0; x < items.Count; x++)
        {
            var item = items[x];
            var colour = TransportColors.Color(item.Scenario.Transport);
            var label = group.Label(item.Scenario);
            ticks.AddMajor(x, label);
            Add(plot, y, x - Offset, item.P50, colour, MarkerShape.OpenCircle, $"{label} p50");
            Add(plot, y, x + Offset, item.P99, colour, MarkerShape.FilledSquare, $"{label} p99");
            if (item.Scenario.Trials is { } runs)
            {
                Dots(plot, y, x - Offset, runs.Select(t => ScenarioSpread.Latency(t, 50)), colour);
                Dots(plot, y, x + Offset, runs.Select(t => ScenarioSpread.Latency(t, 99)), colour);
            }
        }

        plot.Axes.Bottom.TickGenerator = ticks;
        plot.Axes.SetLimitsX(-0.6, items.Count - 0.4);
        y.Apply(plot);
        plot.ShowLegend(Edge.Right);

        var alt = "p50 and p99 latency in milliseconds with their spread: " + string.Join("; ", items.Select(i =>
            $"{group.Label(i.Scenario)} p50 {Format.Ms(i.P50.Value)} ({Format.MsRange(i.P50.Low, i.P50.High)}), p99 {Format.Ms(i.P99.Value)} ({Format.MsRange(i.P99.Low, i.P99.High)})")) + ".";
        return ChartCanvas.Render(plot, $"latency-spread-{group.Setup.Slug()}", $"p50 and p99 with their spread — {group.Setup.Describe()}", alt, options);
    }

    private static void Add(Plot plot, YScale y, double x, Spread spread, Color colour, MarkerShape shape, string legend)
    {
        Whiskers.Add(plot, x, y.Map(spread.Low), y.Map(spread.High), colour, CapHalfWidth);
        var point = plot.Add.Scatter(new[] { x }, new[] { y.Map(spread.Value) }, colour);
        point.LegendText = legend;
        point.MarkerShape = shape;
        point.MarkerSize = 11;
        point.LineWidth = 0;
    }

    private static void Dots(Plot plot, YScale y, double x, IEnumerable<double?> values, Color colour)
    {
        var ys = values.OfType<double>().Select(y.Map).ToArray();
        if (ys.Length == 0)
        {
            return;
        }

        var dots = plot.Add.Scatter(Enumerable.Repeat(x + 2 * CapHalfWidth, ys.Length).ToArray(), ys, colour.WithAlpha(0.6));
        dots.LegendText = string.Empty;
        dots.LineWidth = 0;
        dots.MarkerShape = MarkerShape.FilledCircle;
        dots.MarkerSize = 5;
    }
}
