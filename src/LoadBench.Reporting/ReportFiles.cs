namespace LoadBench.Reporting;

/// <summary>What <see cref="ReportWriter.WriteAll"/> wrote, as full paths.</summary>
public sealed record ReportFiles(
    string OutputDirectory,
    string SummaryCsv,
    string MarkdownReport,
    string HtmlReport,
    IReadOnlyList<string> PlotFiles)
{
    /// <summary>Every file written, reports first.</summary>
    public IEnumerable<string> All => [SummaryCsv, MarkdownReport, HtmlReport, .. PlotFiles];
}
