using System.Text.RegularExpressions;
using System.Xml.Linq;
using LoadBench.Cli.Tests.TestSupport;
using LoadBench.Contracts;
using LoadBench.Reporting;
using LoadBench.Results;

namespace LoadBench.Cli.Tests;

/// <summary>The whole product once: `loadbench run scenarios/quick.json` into a temp folder, then every file checked.</summary>
public sealed partial class RunCommandEndToEndTests : IDisposable
{
    private readonly string _output = Path.Combine(Path.GetTempPath(), "loadbench-e2e-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Run_Quick_WritesEveryFile_ChartsDecode_HtmlEmbedsThem_CsvParses()
    {
        var run = await LoadBenchProcess.RunAsync(TimeSpan.FromMinutes(3), "run", "scenarios/quick.json", "--output", _output);

        Assert.True(run.ExitCode == 0, $"exit {run.ExitCode}\n{run.StandardOutput}\n{run.StandardError}");
        foreach (var file in new[] { "results.json", ReportWriter.SummaryCsvFileName, ReportWriter.MarkdownFileName, ReportWriter.HtmlFileName })
        {
            Assert.True(File.Exists(Path.Combine(_output, file)), file);
        }

        var results = await ResultsFile.ReadAsync(Path.Combine(_output, "results.json"), CancellationToken.None);
        Assert.Equal(TransportIds.All, results.Scenarios.Select(s => s.Transport));
        Assert.All(results.Scenarios, s =>
        {
            Assert.True(s.Throughput.EventsDelivered > 0, s.Name);
            Assert.Equal(0, s.Integrity.Lost);
            Assert.Equal(s.Bytes.Total, s.Bytes.Payload + s.Bytes.Framing + s.Bytes.Headers);
        });

        var pngs = Directory.GetFiles(Path.Combine(_output, ReportWriter.PlotsDirectoryName), "*.png");
        Assert.NotEmpty(pngs);
        var html = await File.ReadAllTextAsync(Path.Combine(_output, ReportWriter.HtmlFileName));
        foreach (var png in pngs)
        {
            var (width, height) = Png.Size(png);
            Assert.True(width >= 400 && height >= 200, $"{png}: {width}x{height}");
            var svg = Path.ChangeExtension(png, ".svg");
            Assert.True(File.Exists(svg), svg);
            XDocument.Load(svg);
        }

        foreach (var transport in TransportIds.All)
        {
            Assert.Contains(TransportIds.DisplayName(transport), html, StringComparison.Ordinal);
        }

        // Self-contained: charts are inline, nothing is fetched.
        Assert.True(ChartImages().Count(html) + InlineSvg().Count(html) >= pngs.Length, "every chart embedded in the HTML");
        Assert.DoesNotMatch(ExternalReference(), html);

        var csv = (await File.ReadAllLinesAsync(Path.Combine(_output, ReportWriter.SummaryCsvFileName))).Where(l => l.Length > 0).ToList();
        Assert.Equal(ReportWriter.SummaryCsvColumns, csv[0].Split(','));
        Assert.Equal(results.Scenarios.Count, csv.Count - 1);
        Assert.All(csv.Skip(1), row => Assert.Equal(ReportWriter.SummaryCsvColumns.Count, row.Split(',').Length));
    }

    public void Dispose()
    {
        if (Directory.Exists(_output))
        {
            Directory.Delete(_output, recursive: true);
        }
    }

    [GeneratedRegex("<img[^>]+src=\"data:image/(png|svg\\+xml)", RegexOptions.IgnoreCase)]
    private static partial Regex ChartImages();

    [GeneratedRegex("<svg[\\s>]", RegexOptions.IgnoreCase)]
    private static partial Regex InlineSvg();

    [GeneratedRegex("(src|href)=\"(https?:)?//", RegexOptions.IgnoreCase)]
    private static partial Regex ExternalReference();
}
