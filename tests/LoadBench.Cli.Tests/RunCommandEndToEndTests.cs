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

    [Fact]
    public async Task Run_Repeat2_KeepsBothTrialsOfEachScenario_PoolsThem_AndTheReportShowsTheSpread()
    {
        Directory.CreateDirectory(_output);
        var scenario = Path.Combine(_output, "tiny.json");
        await File.WriteAllTextAsync(scenario, """
            {
              "name": "tiny_repeat",
              "defaults": { "warmUp": "0s", "feed": { "ratePerSecond": 20, "payloadBytes": 64 } },
              "scenarios": [
                { "name": "{transport}_3_clients", "transport": ["sse", "ws"],
                  "load": [ { "model": "KeepConstant", "copies": 3, "during": "1s" } ] }
              ]
            }
            """);

        var run = await LoadBenchProcess.RunAsync(TimeSpan.FromMinutes(2), "run", scenario, "--repeat", "2", "--output", _output, "--quiet");

        Assert.True(run.ExitCode == 0, $"exit {run.ExitCode}\n{run.StandardOutput}\n{run.StandardError}");
        Assert.Contains("Each scenario ran 2 times", run.StandardOutput, StringComparison.Ordinal);
        var results = await ResultsFile.ReadAsync(Path.Combine(_output, "results.json"), CancellationToken.None);
        Assert.Equal(["sse_3_clients", "ws_3_clients"], results.Scenarios.Select(s => s.Name));
        Assert.All(results.Scenarios, s =>
        {
            Assert.Equal(2, s.Trials!.Count);
            Assert.All(s.Trials, t => Assert.True(t.Throughput.EventsDelivered > 0, s.Name));
            Assert.Equal(s.Trials.Sum(t => t.Throughput.EventsDelivered), s.Throughput.EventsDelivered);
            Assert.Equal(s.Trials.Sum(t => t.Latency.Event.Count), s.Latency.Event.Count);
            Assert.Equal(s.Trials.Max(t => t.Latency.Event.MaxMs), s.Latency.Event.MaxMs);
        });
        var markdown = await File.ReadAllTextAsync(Path.Combine(_output, ReportWriter.MarkdownFileName));
        Assert.Contains("Each scenario ran 2 times", markdown, StringComparison.Ordinal);
        Assert.Contains("2 trials per transport no difference can be significant", markdown, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(_output, ReportWriter.PlotsDirectoryName, "latency-spread-3c-20eps-64B.png")));
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
