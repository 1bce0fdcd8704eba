using LoadBench.Reporting.Model;
using ScottPlot;
using ScottPlot.TickGenerators;

namespace LoadBench.Reporting.Charts;

/// <summary>Chart (a): publish → receive latency at every percentile, one line per scenario of a setup.</summary>
internal static class SpectrumChart
{
    public static ChartImage? Build(string runName, SetupGroup group, ReportOptions options)
    {
        var measured = group.Scenarios.Where(s => s.Latency.Event.Count > 0).ToList();
        if (measured.Count == 0)
        {
            return null;
        }

        var nines = measured.Max(s => PercentileSpectrum.Nines(s.Latency.Event.Count));
        var title = $"{runName} · Latency percentile spectrum (publish → receive)\n{group.Setup.Describe()}";
        using var plot = ChartCanvas.Create(title, "Percentile (log scale of 1 / (1 − p))", "Latency (ms)");

        var perTransport = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var scenario in measured)
        {
            var points = PercentileSpectrum.FromEncoded(scenario.Latency.Event.Histogram, nines);
            var index = perTransport[scenario.Transport] = perTransport.GetValueOrDefault(scenario.Transport, -1) + 1;
            var line = plot.Add.Scatter(points.Select(p => p.X).ToArray(), points.Select(p => p.LatencyMs).ToArray(), TransportColors.Color(scenario.Transport));
            line.LegendText = $"{group.Label(scenario)} (n = {Format.Count(scenario.Latency.Event.Count)})";
            line.LineWidth = 2.5f;
            line.MarkerSize = 0;
            line.LinePattern = ChartCanvas.Pattern(index);
        }

        plot.Axes.Bottom.TickGenerator = PercentileTicks(nines);
        plot.Axes.SetLimitsX(0, nines + 0.05);
        plot.Axes.SetLimitsY(0, ChartCanvas.Headroom(measured.Max(s => s.Latency.Event.MaxMs)));
        plot.ShowLegend(Alignment.UpperLeft);

        var alt = $"Latency in milliseconds against percentile, up to {NinesLabel(nines)}, for {string.Join(", ", measured.Select(group.Label))}.";
        return ChartCanvas.Render(plot, $"latency-spectrum-{group.Setup.Slug()}", $"Latency percentile spectrum — {group.Setup.Describe()}", alt, options);
    }

    /// <summary>Ticks at 50%, 90%, 99%, 99.9% … on the log10(1/(1−p)) axis.</summary>
    public static NumericManual PercentileTicks(int nines)
    {
        var ticks = new NumericManual();
        ticks.AddMajor(0, "0%");
        ticks.AddMajor(PercentileSpectrum.XOf(50), "50%");
        for (var n = 1; n <= nines; n++)
        {
            ticks.AddMajor(n, NinesLabel(n));
        }

        return ticks;
    }

    /// <summary>1 → "90%", 2 → "99%", 3 → "99.9%".</summary>
    public static string NinesLabel(int nines) =>
        nines <= 2 ? new string('9', nines) + "%" : "99." + new string('9', nines - 2) + "%";
}
