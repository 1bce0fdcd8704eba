using LoadBench.Results;
using ScottPlot;

namespace LoadBench.Reporting.Charts;

/// <summary>
/// The faults a scenario ran under, marked on a chart whose x axis is time since the measured phase began: a shaded
/// span for a fault that lasts (abort, stall, pause), a dashed line for a one-off (drop-all, restart). The scenarios
/// of one chart ran one after another, each with its own copy of the faults, so their periods are joined per kind
/// (one span where they overlap) rather than shaded once per scenario.
/// </summary>
internal static class FaultMarks
{
    private static readonly Color Shade = Color.FromHex("#D55E00"); // Okabe–Ito vermilion: no transport's colour

    /// <summary>Adds the marks; returns how many (0 when no scenario had a fault).</summary>
    public static int Add(Plot plot, IEnumerable<ScenarioResult> scenarios)
    {
        ArgumentNullException.ThrowIfNull(plot);
        var marks = 0;
        var joined = Joined(scenarios.SelectMany(s => s.Faults ?? []));
        // One legend entry for all the marks, naming the kinds.
        var label = "faults: " + string.Join(", ", joined.Select(j => j.Kind).Distinct(StringComparer.Ordinal));
        foreach (var (_, start, end) in joined)
        {
            var legend = marks == 0 ? label : null;
            if (end > start)
            {
                var span = plot.Add.HorizontalSpan(start, end);
                span.FillStyle.Color = Shade.WithAlpha(0.12);
                span.LineStyle.Width = 0;
                span.LegendText = legend ?? string.Empty;
                span.EnableAutoscale = false;
            }
            else
            {
                var line = plot.Add.VerticalLine(start);
                line.Color = Shade.WithAlpha(0.7);
                line.LineWidth = 1.5f;
                line.LinePattern = LinePattern.Dashed;
                line.LegendText = legend ?? string.Empty;
                line.EnableAutoscale = false;
            }

            marks++;
        }

        return marks;
    }

    /// <summary>Periods joined per kind where they overlap or touch, in start order.</summary>
    internal static IReadOnlyList<(string Kind, double Start, double End)> Joined(IEnumerable<FaultPeriod> periods)
    {
        var joined = new List<(string Kind, double Start, double End)>();
        foreach (var kind in periods.GroupBy(p => p.Kind, StringComparer.Ordinal))
        {
            (double Start, double End)? current = null;
            foreach (var period in kind.OrderBy(p => p.StartSeconds))
            {
                var end = Math.Max(period.StartSeconds, period.EndSeconds);
                if (current is { } c && period.StartSeconds <= c.End)
                {
                    current = (c.Start, Math.Max(c.End, end));
                    continue;
                }

                if (current is { } done)
                {
                    joined.Add((kind.Key, done.Start, done.End));
                }

                current = (period.StartSeconds, end);
            }

            if (current is { } last)
            {
                joined.Add((kind.Key, last.Start, last.End));
            }
        }

        return [.. joined.OrderBy(j => j.Start)];
    }
}
