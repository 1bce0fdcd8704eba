using LoadBench.Reporting.Model;
using ScottPlot;
using ScottPlot.TickGenerators;

namespace LoadBench.Reporting.Charts;

/// <summary>
/// Chart (b): bytes on the wire per delivered event, stacked payload / framing / headers. The bar's colour
/// is its transport's; the part is told by shade (payload darkest), because a hatch would not survive SVG.
/// </summary>
internal static class BytesChart
{
    public static ChartImage? Build(string runName, SetupGroup group, ReportOptions options)
    {
        var measured = group.Scenarios.Where(s => s.Throughput.EventsDelivered > 0).ToList();
        if (measured.Count == 0)
        {
            return null;
        }

        var title = $"{runName} · Bytes on the wire per delivered event\n{group.Setup.Describe()}";
        using var plot = ChartCanvas.Create(title, "Transport", "Bytes per event (B)");

        var bars = new List<Bar>();
        var ticks = new NumericManual();
        for (var i = 0; i < measured.Count; i++)
        {
            var scenario = measured[i];
            var colour = TransportColors.Color(scenario.Transport);
            var perEvent = scenario.Bytes.PerEvent;
            var parts = new (double Value, Color Fill)[]
            {
                (perEvent.Payload, PartShade(colour, 0)),
                (perEvent.Framing, PartShade(colour, 1)),
                (perEvent.Headers, PartShade(colour, 2)),
            };
            var bottom = 0.0;
            foreach (var (value, fill) in parts)
            {
                bars.Add(new Bar { Position = i, ValueBase = bottom, Value = bottom + value, FillColor = fill, LineColor = Colors.White, LineWidth = 1 });
                bottom += value;
            }

            bars[^1].Label = $"{Format.Bytes(perEvent.Total)} B";
            ticks.AddMajor(i, group.Label(scenario));
        }

        var barPlot = plot.Add.Bars(bars);
        barPlot.ValueLabelStyle.FontSize = 12;
        plot.Axes.Bottom.TickGenerator = ticks;
        plot.Axes.SetLimitsX(-0.6, measured.Count - 0.4);
        plot.Axes.SetLimitsY(0, ChartCanvas.Headroom(measured.Max(s => s.Bytes.PerEvent.Total)));

        var neutral = Color.FromHex("#555555");
        plot.Legend.ManualItems.Add(new LegendItem { LabelText = "payload (darkest)", FillColor = PartShade(neutral, 0) });
        plot.Legend.ManualItems.Add(new LegendItem { LabelText = "framing", FillColor = PartShade(neutral, 1) });
        plot.Legend.ManualItems.Add(new LegendItem { LabelText = "HTTP headers (lightest)", FillColor = PartShade(neutral, 2) });
        plot.ShowLegend(Edge.Right);

        var alt = "Stacked bars of payload, framing and header bytes per delivered event: " +
            string.Join("; ", measured.Select(s => $"{group.Label(s)} {Format.Bytes(s.Bytes.PerEvent.Payload)} + {Format.Bytes(s.Bytes.PerEvent.Framing)} + {Format.Bytes(s.Bytes.PerEvent.Headers)} B")) + ".";
        return ChartCanvas.Render(plot, $"bytes-per-event-{group.Setup.Slug()}", $"Bytes per event — {group.Setup.Describe()}", alt, options);
    }

    /// <summary>Payload in the full colour, framing lighter, headers lightest.</summary>
    public static Color PartShade(Color colour, int part) => part switch
    {
        0 => colour,
        1 => colour.Lighten(0.45),
        _ => colour.Lighten(0.75),
    };
}
