using LoadBench.Reporting.Model;
using LoadBench.Results;
using ScottPlot;
using ScottPlot.TickGenerators;

namespace LoadBench.Reporting.Charts;

/// <summary>Chart (a): publish → receive latency at every percentile, one line per scenario of a setup.</summary>
internal static class SpectrumChart
{
    /// <summary>One plotted line: a scenario's spectrum, decoded from its stored histogram.</summary>
    internal sealed record Line(ScenarioResult Scenario, string Label, IReadOnlyList<SpectrumPoint> Points);

    /// <summary>The lines the chart draws, all over the same range of nines (empty scenarios left out).</summary>
    internal static (IReadOnlyList<Line> Lines, int Nines) Lines(SetupGroup group)
    {
        var measured = group.Scenarios.Where(s => s.Latency.Event.Count > 0).ToList();
        if (measured.Count == 0)
        {
            return ([], PercentileSpectrum.Nines(0));
        }

        var nines = measured.Max(s => PercentileSpectrum.Nines(s.Latency.Event.Count));
        return ([.. measured.Select(s => new Line(s, group.Label(s), PercentileSpectrum.FromEncoded(s.Latency.Event.Histogram, nines)))], nines);
    }

    public static ChartImage? Build(string runName, SetupGroup group, ReportOptions options)
    {
        var (lines, nines) = Lines(group);
        if (lines.Count == 0)
        {
            return null;
        }

        var title = $"{runName} · Latency percentile spectrum (publish → receive)\n{group.Setup.Describe()}";
        var y = YScale.For(lines.SelectMany(l => l.Points).Select(p => p.LatencyMs));
        using var plot = ChartCanvas.Create(title, "Percentile (log scale of 1 / (1 − p))", y.Label("Latency (ms)"));

        var perTransport = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var line in lines)
        {
            var transport = line.Scenario.Transport;
            var index = perTransport[transport] = perTransport.GetValueOrDefault(transport, -1) + 1;
            var scatter = plot.Add.Scatter(line.Points.Select(p => p.X).ToArray(), y.Map(line.Points.Select(p => p.LatencyMs)), TransportColors.Color(transport));
            scatter.LegendText = $"{line.Label} (n = {Format.Count(line.Scenario.Latency.Event.Count)})";
            scatter.LineWidth = 2.5f;
            scatter.MarkerSize = 0;
            scatter.LinePattern = ChartCanvas.Pattern(index);
        }

        plot.Axes.Bottom.TickGenerator = PercentileTicks(nines);
        plot.Axes.SetLimitsX(0, nines + 0.3); // room for the last tick label
        y.Apply(plot);
        plot.ShowLegend(Edge.Right);

        var alt = $"Latency in milliseconds against percentile, up to {NinesLabel(nines)}, for {string.Join(", ", lines.Select(l => l.Label))}.";
        return ChartCanvas.Render(plot, $"latency-spectrum-{group.Setup.Slug()}", $"Latency percentile spectrum — {group.Setup.Describe()}", alt, options);
    }

    /// <summary>Ticks at 0%, 50%, 90%, 99%, 99.9% … on the log10(1/(1−p)) axis.</summary>
    public static IReadOnlyList<(double Position, string Label)> PercentileTickMarks(int nines) =>
        [(0, "0%"), (PercentileSpectrum.XOf(50), "50%"), .. Enumerable.Range(1, nines).Select(n => ((double)n, NinesLabel(n)))];

    public static NumericManual PercentileTicks(int nines)
    {
        var ticks = new NumericManual();
        foreach (var (position, label) in PercentileTickMarks(nines))
        {
            ticks.AddMajor(position, label);
        }

        return ticks;
    }

    /// <summary>1 → "90%", 2 → "99%", 3 → "99.9%".</summary>
    public static string NinesLabel(int nines) =>
        nines switch
        {
            1 => "90%",
            2 => "99%",
            _ => "99." + new string('9', nines - 2) + "%",
        };
}
