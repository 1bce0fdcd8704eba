using ScottPlot;

namespace LoadBench.Reporting.Charts;

/// <summary>The look every chart shares, and rendering to PNG and SVG.</summary>
internal static class ChartCanvas
{
    // ScottPlot's default face is not on a minimal Linux; DejaVu Sans is (fonts-dejavu-core, installed by
    // tests/run.sh) and covers the arrows and middle dots in titles.
    private static readonly Lazy<string> FontName = new(() =>
        new[] { "DejaVu Sans", "Liberation Sans", "Arial", "Helvetica" }.FirstOrDefault(f => string.Equals(Fonts.GetTypeface(f, bold: false, italic: false)?.FamilyName, f, StringComparison.OrdinalIgnoreCase)) ?? Fonts.Sans);

    /// <summary>A new plot with a title, axis labels (units included) and a legend outside the data area.</summary>
    public static Plot Create(string title, string xLabel, string yLabel)
    {
        var plot = new Plot();
        plot.Font.Set(FontName.Value);
        plot.Title(title, size: 16);
        plot.XLabel(xLabel, size: 14);
        plot.YLabel(yLabel, size: 14);
        plot.Axes.Bottom.TickLabelStyle.FontSize = 12;
        plot.Axes.Left.TickLabelStyle.FontSize = 12;
        plot.Grid.MajorLineColor = Color.FromHex("#E5E5E5");
        plot.Legend.FontSize = 12;
        return plot;
    }

    public static ChartImage Render(Plot plot, string fileStem, string title, string altText, ReportOptions options)
    {
        ArgumentNullException.ThrowIfNull(plot);
        ArgumentNullException.ThrowIfNull(options);
        var png = plot.GetImageBytes(options.ChartWidth, options.ChartHeight, ImageFormat.Png);
        var svg = plot.GetSvgXml(options.ChartWidth, options.ChartHeight);
        return new ChartImage(fileStem, title, altText, options.ChartWidth, options.ChartHeight, png, svg);
    }

    /// <summary>Upper y limit with headroom for labels, never a zero-height axis.</summary>
    public static double Headroom(double max) => max > 0 ? max * 1.15 : 1;

    /// <summary>Line patterns that tell apart several series of one transport (one colour each).</summary>
    public static LinePattern Pattern(int index) => (index % 4) switch
    {
        0 => LinePattern.Solid,
        1 => LinePattern.Dashed,
        2 => LinePattern.Dotted,
        _ => LinePattern.DenselyDashed,
    };

    public static MarkerShape Marker(int index) => (index % 4) switch
    {
        0 => MarkerShape.FilledCircle,
        1 => MarkerShape.FilledSquare,
        2 => MarkerShape.FilledTriangleUp,
        _ => MarkerShape.FilledDiamond,
    };
}
