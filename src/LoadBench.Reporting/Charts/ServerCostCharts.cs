using LoadBench.Reporting.Model;
using LoadBench.Results;
using ScottPlot;
using ScottPlot.TickGenerators;

namespace LoadBench.Reporting.Charts;

/// <summary>Chart (e): what the target paid — CPU per 1,000 delivered events and memory per subscriber (per connection when each has its own).</summary>
internal static class ServerCostCharts
{
    public static ChartImage? Cpu(string runName, SetupGroup group, ReportOptions options) =>
        Build(runName, group, options, s => s.Server.CpuMsPer1000Events,
            "Target CPU time per 1,000 delivered events", "CPU time per 1,000 events (ms)", v => $"{Format.Ms(v)} ms", "server-cpu");

    public static ChartImage? Memory(string runName, SetupGroup group, ReportOptions options) =>
        Build(runName, group, options, s => s.Server.KibPerConnection,
            "Target memory per subscriber (retained heap growth / clients; a connection each unless multiplexed)", "Memory per subscriber (KiB)", v => $"{Format.Bytes(v)} KiB", "server-memory");

    private static ChartImage? Build(
        string runName, SetupGroup group, ReportOptions options, Func<ScenarioResult, double?> value,
        string what, string yLabel, Func<double, string> label, string stem)
    {
        var measured = group.Scenarios.Where(s => value(s) is not null).ToList();
        if (measured.Count == 0)
        {
            return null;
        }

        using var plot = ChartCanvas.Create($"{runName} · {what}\n{group.Setup.Describe()}", "Transport", yLabel);
        var bars = new List<Bar>();
        var ticks = new NumericManual();
        for (var i = 0; i < measured.Count; i++)
        {
            var v = value(measured[i])!.Value;
            bars.Add(new Bar { Position = i, Value = v, FillColor = TransportColors.Color(measured[i].Transport), Label = label(v) });
            ticks.AddMajor(i, group.Label(measured[i]));
        }

        var barPlot = plot.Add.Bars(bars);
        barPlot.ValueLabelStyle.FontSize = 12;
        plot.Axes.Bottom.TickGenerator = ticks;
        plot.Axes.SetLimitsX(-0.6, measured.Count - 0.4);
        var values = measured.Select(s => value(s)!.Value).ToList();
        plot.Axes.SetLimitsY(Math.Min(0, values.Min() * 1.15), ChartCanvas.Headroom(values.Max()));

        // Bars are coloured by transport; the legend names the colours, as in every other chart.
        foreach (var transport in measured.Select(s => s.Transport).Distinct(StringComparer.Ordinal))
        {
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = LoadBench.Contracts.TransportIds.DisplayName(transport), FillColor = TransportColors.Color(transport) });
        }

        plot.ShowLegend(Edge.Right);
        var alt = $"{what}: " + string.Join("; ", measured.Select(s => $"{group.Label(s)} {label(value(s)!.Value)}")) + ".";
        return ChartCanvas.Render(plot, $"{stem}-{group.Setup.Slug()}", $"{what} — {group.Setup.Describe()}", alt, options);
    }
}
