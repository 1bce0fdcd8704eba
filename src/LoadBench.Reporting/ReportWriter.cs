using System.Text;
using LoadBench.Reporting.Csv;
using LoadBench.Reporting.Document;
using LoadBench.Reporting.Insights;
using LoadBench.Results;

namespace LoadBench.Reporting;

/// <summary>
/// Turns a <see cref="ResultsDocument"/> into the files people read: <c>summary.csv</c>, <c>report.md</c>,
/// a self-contained <c>report.html</c> and <c>plots/*.png</c> + <c>*.svg</c>. It reads results only, so
/// <c>loadbench report RESULTS.json</c> renders the same files again from a saved run.
/// </summary>
public static class ReportWriter
{
    public const string SummaryCsvFileName = "summary.csv";
    public const string MarkdownFileName = "report.md";
    public const string HtmlFileName = "report.html";
    public const string PlotsDirectoryName = "plots";

    // No byte-order mark: CSV and Markdown tools read UTF-8 plainly, and a BOM shows up as a stray first
    // character in a CSV's first header.
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>
    /// Writes every report file into <paramref name="outputDirectory"/> (created if missing), overwriting files of
    /// the same name; nothing else in the folder is touched.
    /// </summary>
    public static ReportFiles WriteAll(ResultsDocument results, string outputDirectory, ReportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(results);
        ArgumentException.ThrowIfNullOrEmpty(outputDirectory);
        return WriteAllCore(results, Path.GetFullPath(outputDirectory), options ?? new ReportOptions());
    }

    /// <summary>The "what this means" sentences alone, e.g. for a console summary after a run.</summary>
    public static IReadOnlyList<string> Explain(ResultsDocument results) => WhatThisMeans.Sentences(results);

    /// <summary>The <c>summary.csv</c> text alone (header row, one row per scenario, CRLF line ends).</summary>
    public static string SummaryCsvText(ResultsDocument results) => SummaryCsv.Build(results);

    /// <summary>The stable column names of <c>summary.csv</c>, in order.</summary>
    public static IReadOnlyList<string> SummaryCsvColumns => SummaryCsv.Columns;

    private static ReportFiles WriteAllCore(ResultsDocument results, string directory, ReportOptions options)
    {
        Directory.CreateDirectory(directory);
        var model = ReportBuilder.Build(results, options);

        var plotFiles = new List<string>();
        if (model.Charts.Count > 0)
        {
            var plots = Directory.CreateDirectory(Path.Combine(directory, PlotsDirectoryName)).FullName;
            foreach (var chart in model.Charts)
            {
                var png = Path.Combine(plots, chart.FileStem + ".png");
                var svg = Path.Combine(plots, chart.FileStem + ".svg");
                AtomicFile.WriteAllBytes(png, chart.Png);
                AtomicFile.WriteAllText(svg, chart.Svg, Utf8);
                plotFiles.Add(png);
                plotFiles.Add(svg);
            }
        }

        var csv = Path.Combine(directory, SummaryCsvFileName);
        var markdown = Path.Combine(directory, MarkdownFileName);
        var html = Path.Combine(directory, HtmlFileName);
        // Each file whole or not at all (a temporary file renamed over it): a crash never leaves a truncated report.
        AtomicFile.WriteAllText(csv, SummaryCsv.Build(results), Utf8);
        AtomicFile.WriteAllText(markdown, MarkdownRenderer.Render(model), Utf8);
        AtomicFile.WriteAllText(html, HtmlRenderer.Render(model), Utf8);
        return new ReportFiles(directory, csv, markdown, html, plotFiles);
    }
}
