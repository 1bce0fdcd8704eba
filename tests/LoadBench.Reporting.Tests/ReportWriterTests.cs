using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using LoadBench.Contracts;
using LoadBench.Reporting.Tests.TestSupport;

namespace LoadBench.Reporting.Tests;

public sealed partial class ReportWriterTests(WrittenReport report) : IClassFixture<WrittenReport>
{
    // Per setup (10 and 100 clients): spectrum, bytes, time series, CPU, memory; plus events/s and p99 vs clients.
    private static readonly string[] ExpectedStems =
    [
        "latency-spectrum-10c-10eps-256B", "bytes-per-event-10c-10eps-256B", "latency-over-time-10c-10eps-256B",
        "server-cpu-10c-10eps-256B", "server-memory-10c-10eps-256B",
        "latency-spectrum-100c-10eps-256B", "bytes-per-event-100c-10eps-256B", "latency-over-time-100c-10eps-256B",
        "server-cpu-100c-10eps-256B", "server-memory-100c-10eps-256B",
        "events-per-second-vs-clients-10eps-256B", "p99-vs-clients-10eps-256B",
        "capacity-cores", "capacity-instances",
    ];

    [Fact]
    public void WriteAll_SampleResults_WritesReportsAndEveryPlotAsPngAndSvg()
    {
        foreach (var name in new[] { "summary.csv", "report.md", "report.html" })
        {
            Assert.True(new FileInfo(Path.Combine(report.Directory, name)).Length > 0, name);
        }

        var plots = Directory.GetFiles(Path.Combine(report.Directory, "plots")).Select(f => Path.GetFileName(f)!).Order(StringComparer.Ordinal).ToList();
        var expected = ExpectedStems.SelectMany(s => new[] { s + ".png", s + ".svg" }).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(expected, plots);
        Assert.Equal(report.Files.All.Count(), 3 + expected.Count);
        Assert.All(report.Files.All, f => Assert.True(File.Exists(f), f));
    }

    [Fact]
    public void WriteAll_Pngs_DecodeAtTheConfiguredSize()
    {
        foreach (var png in Directory.GetFiles(Path.Combine(report.Directory, "plots"), "*.png"))
        {
            var bytes = File.ReadAllBytes(png);
            Assert.Equal((WrittenReport.Options.ChartWidth, WrittenReport.Options.ChartHeight), Png.Size(bytes));
            // A blank canvas compresses to a few hundred bytes; a chart with text and lines does not.
            Assert.True(bytes.Length > 10_000, $"{png} is suspiciously small ({bytes.Length} B)");
        }
    }

    [Fact]
    public void WriteAll_Svgs_AreXmlAndUseEachTransportsColour()
    {
        foreach (var svg in Directory.GetFiles(Path.Combine(report.Directory, "plots"), "*.svg"))
        {
            var document = XDocument.Load(svg);
            Assert.Equal("svg", document.Root!.Name.LocalName);
        }

        // Every transport appears in every per-setup chart in its own colour, in every chart kind.
        foreach (var stem in ExpectedStems.Where(s => s.Contains("-100c-", StringComparison.Ordinal)))
        {
            var text = File.ReadAllText(Path.Combine(report.Directory, "plots", stem + ".svg"));
            foreach (var transport in TransportIds.All)
            {
                Assert.Contains(TransportColors.Hex(transport), text, StringComparison.OrdinalIgnoreCase);
            }
        }
    }

    [Fact]
    public void WriteAll_Html_IsSelfContainedNamesTheTransportsAndEmbedsEveryChart()
    {
        var html = File.ReadAllText(report.Files.HtmlReport);
        foreach (var transport in TransportIds.All)
        {
            Assert.Contains(TransportIds.DisplayName(transport), html, StringComparison.Ordinal);
        }

        var images = DataImage().Matches(html);
        Assert.Equal(ExpectedStems.Length, images.Count);
        foreach (Match image in images)
        {
            Assert.Equal((WrittenReport.Options.ChartWidth, WrittenReport.Options.ChartHeight), Png.Size(Convert.FromBase64String(image.Groups[1].Value)));
        }

        Assert.DoesNotMatch(ExternalReference(), html);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<link", html, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(images.Count, Regex.Count(html, "<img "));
        Assert.True(XmlLikeBalanced(html, "table"), "every <table> is closed");
    }

    [Fact]
    public void WriteAll_Csv_ParsesBackWithOneRowPerScenarioAndTheNumbersPutIn()
    {
        var records = CsvReader.Parse(File.ReadAllText(report.Files.SummaryCsv));
        var header = records[0];
        Assert.Equal(ReportWriter.SummaryCsvColumns, header);
        var rows = records.Skip(1).ToList();
        Assert.Equal(report.Results.Scenarios.Count, rows.Count);
        Assert.All(rows, r => Assert.Equal(header.Count, r.Count));

        string Field(List<string> row, string column) => row[header.IndexOf(column)];
        double Number(List<string> row, string column) => double.Parse(Field(row, column), NumberStyles.Float, CultureInfo.InvariantCulture);

        foreach (var scenario in report.Results.Scenarios)
        {
            var row = Assert.Single(rows, r => r[0] == scenario.Name);
            Assert.Equal(scenario.Transport, Field(row, "transport"));
            Assert.Equal(scenario.Clients, Number(row, "clients"));
            Assert.Equal(scenario.Latency.Event.P99Ms, Number(row, "latency_p99_ms"));
            Assert.Equal(scenario.Latency.Event.P999Ms, Number(row, "latency_p999_ms"));
            Assert.Equal(scenario.Throughput.EventsDelivered, Number(row, "events_delivered"));
            Assert.Equal(scenario.Throughput.EventsPerSecond, Number(row, "events_per_s"));
            Assert.Equal(SampleResults.HeadersPerEvent[scenario.Transport], Number(row, "bytes_per_event_headers"));
            Assert.Equal(SampleResults.PayloadPerEvent + SampleResults.FramingPerEvent[scenario.Transport] + SampleResults.HeadersPerEvent[scenario.Transport], Number(row, "bytes_per_event_total"));
            Assert.Equal(scenario.Integrity.Lost, Number(row, "lost"));
            Assert.Equal(scenario.Errors.Count, Number(row, "errors"));
            Assert.Equal(scenario.Server.CpuMsPer1000Events!.Value, Number(row, "server_cpu_ms_per_1000_events"));
            Assert.Equal(scenario.Server.KibPerConnection!.Value, Number(row, "kib_per_connection"));
            if (scenario.Throughput.EmptyResponseShare is { } share)
            {
                Assert.Equal(share, Number(row, "empty_share"));
            }
            else
            {
                Assert.Equal(string.Empty, Field(row, "empty_share"));
            }
        }

        // The sample's hand-set p99s, independent of the writer: 100-client WebSocket 3 ms, short polling 480 ms.
        Assert.Equal(3, Number(Assert.Single(rows, r => r[0] == "ws_100_clients"), "latency_p99_ms"), 0.01);
        Assert.Equal(480, Number(Assert.Single(rows, r => r[0] == "poll_100_clients"), "latency_p99_ms"), 0.5);
    }

    [Fact]
    public void WriteAll_Markdown_ShowsTransportsSideBySideAndLinksChartsThatExist()
    {
        var markdown = File.ReadAllText(report.Files.MarkdownReport);
        var expectedHeader = "| Metric | " + string.Join(" | ", TransportIds.All.Select(TransportIds.DisplayName)) + " |";
        Assert.Equal(2, markdown.Split('\n').Count(l => l == expectedHeader));

        var links = MarkdownLink().Matches(markdown).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(ExpectedStems.Length * 2, links.Count);
        Assert.All(links, link => Assert.True(File.Exists(Path.Combine(report.Directory, link)), link));
        Assert.Contains("## What this means", markdown, StringComparison.Ordinal);
    }

    private static bool XmlLikeBalanced(string html, string tag) =>
        Regex.Count(html, $"<{tag}[ >]") == Regex.Count(html, $"</{tag}>");

    [GeneratedRegex("<img src=\"data:image/png;base64,([A-Za-z0-9+/=]+)\"")]
    private static partial Regex DataImage();

    [GeneratedRegex("\\]\\((plots/[^)]+)\\)")]
    private static partial Regex MarkdownLink();

    [GeneratedRegex("(src|href)\\s*=\\s*\"(?!data:|#)|url\\(", RegexOptions.IgnoreCase)]
    private static partial Regex ExternalReference();
}
