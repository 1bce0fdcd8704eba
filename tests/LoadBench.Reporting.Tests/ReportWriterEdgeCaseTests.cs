using LoadBench.Contracts;
using LoadBench.Reporting.Tests.TestSupport;
using LoadBench.Results;

namespace LoadBench.Reporting.Tests;

public sealed class ReportWriterEdgeCaseTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "loadbench-report-edge-" + Guid.NewGuid().ToString("N"));
    private static readonly ReportOptions Small = new() { ChartWidth = 640, ChartHeight = 400 };

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public void WriteAll_NothingDelivered_WritesReportsWithoutLatencyOrBytesCharts()
    {
        var silent = SampleResults.Scenario(TransportIds.WebSocket, 10) with
        {
            Latency = new LatencyResult { Event = SampleResults.Summary(HistogramCodec.NewHistogram()) },
            Throughput = new ThroughputResult { EventsDelivered = 0, EventsPerSecond = 0, Requests = 10, RequestsPerSecond = 1 },
            Bytes = ResultFigures.Bytes(0, 0, 1_000, 0),
            Server = SampleResults.Scenario(TransportIds.WebSocket, 10).Server with { CpuMsPer1000Events = null },
            TimeSeries = [],
        };
        var files = ReportWriter.WriteAll(new ResultsDocument { Environment = SampleResults.Environment("quick"), Scenarios = [silent] }, _directory, Small);

        var plots = files.PlotFiles.Select(Path.GetFileName).ToList();
        Assert.DoesNotContain(plots, p => p!.StartsWith("latency-", StringComparison.Ordinal) || p.StartsWith("bytes-", StringComparison.Ordinal) || p.StartsWith("server-cpu", StringComparison.Ordinal));
        Assert.Contains("server-memory-10c-10eps-256B.png", plots); // memory per connection was still measured
        var markdown = File.ReadAllText(files.MarkdownReport);
        Assert.Contains("No scenario delivered an event, so there is nothing to compare.", markdown, StringComparison.Ordinal);
        Assert.Contains("| Latency p99 (ms) | — |", markdown, StringComparison.Ordinal);
        Assert.Single(CsvReader.Parse(File.ReadAllText(files.SummaryCsv)).Skip(1));
    }

    [Fact]
    public void WriteAll_Compressed_ShowsTheUncompressedSplitAndRatioBesideTheWire()
    {
        // 1,000 events: a 100 B compressed body, 6 B of frame headers and 2 B of heads each on the wire; decoded,
        // 256 B of event JSON each (a WebSocket message is exactly the event).
        var wire = ResultFigures.Bytes(payload: 100_000, framing: 6_000, headers: 2_000, events: 1_000);
        var compressed = SampleResults.Scenario(TransportIds.WebSocket, 10) with
        {
            Bytes = ResultFigures.WithUncompressed(wire, uncompressedPayload: 256_000, decodedBody: 256_000),
        };
        var plain = SampleResults.Scenario(TransportIds.Sse, 10);
        var files = ReportWriter.WriteAll(new ResultsDocument { Environment = SampleResults.Environment("quick"), Scenarios = [plain, compressed] }, _directory, Small);

        var markdown = File.ReadAllText(files.MarkdownReport);
        Assert.Contains("| Bytes/event: payload | " + Format.Bytes(plain.Bytes.PerEvent.Payload) + " | 100 |", markdown, StringComparison.Ordinal);
        Assert.Contains("| Bytes/event uncompressed: payload | — | 256 |", markdown, StringComparison.Ordinal);
        Assert.Contains("| Bytes/event uncompressed: framing | — | 6 |", markdown, StringComparison.Ordinal);
        Assert.Contains("| Compression ratio (decoded / compressed body) | — | ×2.56 |", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void WriteAll_OneClientCount_WritesNoScalingCharts()
    {
        var results = new ResultsDocument { Environment = SampleResults.Environment("quick"), Scenarios = [.. TransportIds.All.Select(t => SampleResults.Scenario(t, 10))] };
        var files = ReportWriter.WriteAll(results, _directory, Small);

        Assert.Equal(14, files.PlotFiles.Count); // spectrum, bytes, time series, CPU, memory, capacity cores and instances — PNG and SVG
        Assert.DoesNotContain(files.PlotFiles, p => p.Contains("vs-clients", StringComparison.Ordinal));
        Assert.All(files.PlotFiles.Where(p => p.EndsWith(".png", StringComparison.Ordinal)), p => Assert.Equal((640, 400), Png.Size(File.ReadAllBytes(p))));
    }

    [Fact]
    public void WriteAll_PollIntervalSweep_LabelsEachPollingScenarioByItsInterval()
    {
        var sweep = new[] { 50.0, 200, 1000 }
            .Select(interval => SampleResults.Scenario(TransportIds.Polling, 10) with { Name = $"poll_every_{interval}ms", PollIntervalMs = interval })
            .Append(SampleResults.Scenario(TransportIds.Sse, 10))
            .ToList();
        var files = ReportWriter.WriteAll(new ResultsDocument { Environment = SampleResults.Environment("poll-interval-sweep"), Scenarios = sweep }, _directory, Small);

        var markdown = File.ReadAllText(files.MarkdownReport);
        Assert.Contains("| Metric | Short polling (every 50 ms) | Short polling (every 200 ms) | Short polling (every 1,000 ms) | Server-Sent Events |", markdown, StringComparison.Ordinal);
        var html = File.ReadAllText(files.HtmlReport);
        Assert.Contains("Short polling (every 1,000 ms)", html, StringComparison.Ordinal);
    }

    [Fact]
    public void WriteAll_FrameworkDescriptionAsVersion_NamesTheRuntimeOnce()
    {
        var results = new ResultsDocument
        {
            Environment = SampleResults.Environment("quick") with { DotnetVersion = ".NET 10.0.12" },
            Scenarios = [SampleResults.Scenario(TransportIds.Sse, 10)],
        };
        var markdown = File.ReadAllText(ReportWriter.WriteAll(results, _directory, Small with { IncludeCharts = false }).MarkdownReport);
        Assert.Contains("on 2 cores, Debian GNU/Linux 12, .NET 10.0.12, LoadBench 0.1.0", markdown, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_directory, "plots")));
    }
}
