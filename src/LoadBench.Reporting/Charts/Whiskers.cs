using ScottPlot;

namespace LoadBench.Reporting.Charts;

/// <summary>A vertical whisker with caps: a figure's spread (trials' range, or an interval), drawn in the series' colour.</summary>
internal static class Whiskers
{
    /// <summary>Draws low..high at <paramref name="x"/> (values already on the chart's y scale); no legend entry.</summary>
    public static void Add(Plot plot, double x, double low, double high, Color color, double capHalfWidth)
    {
        ArgumentNullException.ThrowIfNull(plot);
        Segment(plot, [x, x], [low, high], color);
        Segment(plot, [x - capHalfWidth, x + capHalfWidth], [low, low], color);
        Segment(plot, [x - capHalfWidth, x + capHalfWidth], [high, high], color);
    }

    private static void Segment(Plot plot, double[] xs, double[] ys, Color color)
    {
        var line = plot.Add.Scatter(xs, ys, color);
        line.LineWidth = 1.5f;
        line.MarkerSize = 0;
        // An empty legend text keeps the whisker out of the legend.
        line.LegendText = string.Empty;
    }
}
