namespace LoadBench.Reporting;

/// <summary>How <see cref="ReportWriter.WriteAll"/> renders. The defaults suit a code host and a laptop screen.</summary>
public sealed record ReportOptions
{
    /// <summary>Chart size in pixels (PNG) and user units (SVG).</summary>
    public int ChartWidth { get; init; } = 1000;

    public int ChartHeight { get; init; } = 560;

    /// <summary>Write <c>plots/*.png</c> and <c>plots/*.svg</c> and put the charts in the reports.</summary>
    public bool IncludeCharts { get; init; } = true;
}
