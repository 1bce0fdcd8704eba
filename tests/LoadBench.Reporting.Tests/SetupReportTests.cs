using LoadBench.Contracts;
using LoadBench.Reporting.Comparison;
using LoadBench.Reporting.Model;
using LoadBench.Reporting.Tests.TestSupport;
using LoadBench.Results;

namespace LoadBench.Reporting.Tests;

/// <summary>The setup (HTTP version, TLS, compression, heartbeat, streams, proxy) beside the transport: variants are
/// their own columns, series and comparison rows, never merged; and the idle cost table.</summary>
public sealed class SetupReportTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "loadbench-report-setup-" + Guid.NewGuid().ToString("N"));
    private static readonly ReportOptions Small = new() { ChartWidth = 640, ChartHeight = 400, IncludeCharts = false };
    private static readonly SetupResult H2Tls = new() { Http = "2", Tls = true };

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private static ScenarioResult Sse(int clients, SetupResult? setup, string name) =>
        SampleResults.Scenario(TransportIds.Sse, clients) with { Name = name, Setup = setup };

    private static ResultsDocument Document(params ScenarioResult[] scenarios) => new() { Environment = SampleResults.Environment("setup"), Scenarios = scenarios };

    [Theory]
    [InlineData("http://127.0.0.1:5005", true)]
    [InlineData("http://127.0.0.2:5005", true)]
    [InlineData("http://[::1]:5005", true)]
    [InlineData("http://localhost:5005", true)]
    [InlineData("http://10.0.0.7:5005", false)]
    public void RunLine_ALoopbackTarget_SaysItsServerCpuIsAnUpperBound(string targetUrl, bool loopback)
    {
        var document = Document(Sse(10, null, "sse")) with { Environment = SampleResults.Environment("setup") with { TargetUrl = targetUrl } };

        var markdown = File.ReadAllText(ReportWriter.WriteAll(document, _directory, Small).MarkdownReport);

        Assert.Equal(loopback, markdown.Contains(LoadBench.Reporting.Document.ReportBuilder.LoopbackServerCpu, StringComparison.Ordinal));
    }

    [Fact]
    public void SideBySide_TwoSetupsOfOneTransport_TwoColumnsWithTheSetupRowAndLabels()
    {
        var markdown = File.ReadAllText(ReportWriter.WriteAll(
            Document(Sse(10, null, "sse_h1"), Sse(10, H2Tls, "sse_h2_tls")), _directory, Small).MarkdownReport);

        var setupRow = markdown.Split('\n').Single(l => l.StartsWith("| Setup |", StringComparison.Ordinal));
        Assert.Equal(
            ["Setup", "HTTP/1.1 · plain · no compression · no heartbeat · direct", "HTTP/2 · TLS · no compression · no heartbeat · direct"],
            setupRow.Trim('|', ' ', '\r').Split('|').Select(c => c.Trim()));
        Assert.Contains("Server-Sent Events (HTTP/2 · TLS)", markdown, StringComparison.Ordinal);
        Assert.Contains("Server-Sent Events (HTTP/1.1, default setup)", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void SideBySide_TlsBeside_Plain_ShowsTheTlsPart_SoThePartsAddUpToTheTotal()
    {
        var plain = Sse(10, null, "sse_h1");
        var tls = Sse(10, H2Tls, "sse_h2_tls");
        // 1,000 events: 300,000 payload + 20,000 framing + 5,000 headers + 37,000 TLS = 362,000 on the sockets.
        var bytes = ResultFigures.Bytes(300_000, 20_000, 5_000, 1000);
        tls = tls with { Bytes = bytes with { Tls = 37_000, Total = 362_000, PerEvent = bytes.PerEvent with { Tls = 37, Total = 362 } } };

        var markdown = File.ReadAllText(ReportWriter.WriteAll(Document(plain, tls), _directory, Small).MarkdownReport);

        var row = markdown.Split('\n').Single(l => l.StartsWith("| Bytes/event: TLS |", StringComparison.Ordinal));
        Assert.Equal(["Bytes/event: TLS", "—", "37"], row.Trim('|', ' ', '\r').Split('|').Select(c => c.Trim()));
        Assert.DoesNotContain("Bytes/event: TLS", File.ReadAllText(ReportWriter.WriteAll(Document(plain), _directory, Small).MarkdownReport), StringComparison.Ordinal);
    }

    [Fact]
    public void SideBySide_OnlyDefaultSetups_NoSetupRow()
    {
        var markdown = File.ReadAllText(ReportWriter.WriteAll(SampleResults.Create(), _directory, Small).MarkdownReport);
        Assert.DoesNotContain("| Setup |", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void Scaling_OneSeriesPerSetup_NeverMerged()
    {
        var family = Assert.Single(ScalingFamily.All(Document(
            Sse(10, null, "sse_10_h1"), Sse(100, null, "sse_100_h1"), Sse(10, H2Tls, "sse_10_h2"), Sse(100, H2Tls, "sse_100_h2"))));

        Assert.Equal(2, family.Series.Count);
        Assert.All(family.Series, s => Assert.Equal(2, s.Points.Count));
        Assert.Equal(["sse_10_h2", "sse_100_h2"], family.Series.Single(s => s.Label.Contains("HTTP/2", StringComparison.Ordinal)).Points.Select(p => p.Name));
    }

    [Fact]
    public void Compare_SameNameAnotherSetup_IsNotAChange_ButTwoScenarios()
    {
        var report = ComparisonReport.Create(Document(Sse(10, null, "sse_10")), Document(Sse(10, H2Tls, "sse_10")));

        Assert.Empty(report.Scenarios);
        Assert.Equal(["sse_10 (Server-Sent Events)"], report.OnlyInBaseline);
        Assert.Equal(["sse_10 (Server-Sent Events, HTTP/2 · TLS · no compression · no heartbeat · direct)"], report.OnlyInCandidate);
    }

    [Fact]
    public void IdleCost_ScenariosThatPublishedNothing_GetARowWithTheirFigures()
    {
        var idle = Sse(100, new SetupResult { HeartbeatMs = 15_000 }, "sse_idle_15000ms") with
        {
            PublishRatePerSecond = 0,
            Idle = new IdleCostResult { BytesPerConnectionPerHour = 2400, CpuMsPerConnectionPerHour = 12.5 },
        };

        var markdown = File.ReadAllText(ReportWriter.WriteAll(Document(idle), _directory, Small).MarkdownReport);

        Assert.Contains("## Idle cost", markdown, StringComparison.Ordinal);
        var row = markdown.Split('\n').Single(l => l.StartsWith("| sse\\_idle", StringComparison.Ordinal) && l.Contains("2,400", StringComparison.Ordinal));
        Assert.Equal(
            ["sse\\_idle\\_15000ms", "Server-Sent Events", "HTTP/1.1 · plain · no compression · heartbeat 15 s · direct", "—", "100", "2,400", "12.5"],
            row.Trim('|', ' ', '\r').Split('|').Select(c => c.Trim()));
    }

    [Fact]
    public void IdleCost_WithANoClientScenario_SubtractsItsBaseLoadPerConnection()
    {
        // 100 connections at 12.5 ms per connection-hour = 1,250 ms/h in all; the target alone used 0.2 ms/s = 720 ms/h,
        // 7.2 ms per connection-hour: 12.5 − 7.2 = 5.3 ms per connection-hour is what the connections cost.
        var idle = Sse(100, new SetupResult { HeartbeatMs = 15_000 }, "sse_idle_15000ms") with
        {
            PublishRatePerSecond = 0,
            Idle = new IdleCostResult { BytesPerConnectionPerHour = 2400, CpuMsPerConnectionPerHour = 12.5 },
        };
        var baseLine = SampleResults.Scenario(TransportIds.Sse, 0) with
        {
            Name = "target_alone", PublishRatePerSecond = 0, DurationSeconds = 60,
            Throughput = new ThroughputResult { EventsDelivered = 0, EventsPerSecond = 0, Requests = 0, RequestsPerSecond = 0 },
            Errors = new ErrorsResult { Count = 0, Rate = 0, ByKind = new Dictionary<string, long>() },
            Server = idle.Server with { CpuMs = 12 },
            Idle = new IdleCostResult { BytesPerConnectionPerHour = 0 },
        };

        var markdown = File.ReadAllText(ReportWriter.WriteAll(Document(baseLine, idle), _directory, Small).MarkdownReport);

        Assert.Contains("no client at all used 0.20 ms of CPU per second", markdown, StringComparison.Ordinal);
        // The section's own table: the no-client scenario is the base line, not a row.
        var section = markdown[markdown.IndexOf("## Idle cost", StringComparison.Ordinal)..];
        section = section[..(section.IndexOf("\n## ", 3, StringComparison.Ordinal) is var end and > 0 ? end : section.Length)];
        var rows = section.Split('\n').Where(l => l.StartsWith("| sse\\_idle", StringComparison.Ordinal) || l.StartsWith("| target\\_alone", StringComparison.Ordinal)).ToList();
        var row = Assert.Single(rows);
        Assert.Equal(["100", "2,400", "12.5", "5.3"], row.Trim('|', ' ', '\r').Split('|').Select(c => c.Trim()).TakeLast(4));
    }
}
