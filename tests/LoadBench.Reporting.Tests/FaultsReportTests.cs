using LoadBench.Contracts;
using LoadBench.Reporting.Charts;
using LoadBench.Reporting.Tests.TestSupport;
using LoadBench.Results;

namespace LoadBench.Reporting.Tests;

/// <summary>Scenarios that ran under faults: their periods on the latency-over-time chart, the faults and recovery
/// table with the figures the results hold, and a sentence in "What this means".</summary>
public sealed class FaultsReportTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "loadbench-report-faults-" + Guid.NewGuid().ToString("N"));
    private static readonly ReportOptions Small = new() { ChartWidth = 640, ChartHeight = 400 };

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private static ScenarioResult Faulted(string transport, double recoverP50Ms, double recoverP99Ms) =>
        SampleResults.Scenario(transport, 10) with
        {
            Latency = SampleResults.Scenario(transport, 10).Latency with
            {
                // 100 cuts: 98 recovered in the p50 time, 2 in the p99 time.
                Recovery = SampleResults.Summary(SampleResults.TwoValueHistogram(recoverP50Ms, recoverP99Ms, 100)),
            },
            Integrity = new IntegrityResult { Lost = 0, Duplicates = 0, Reorders = 0, Reconnects = 1234, GoneSignals = 0, Resets = 10, TooSlowSignals = 0, LateEvents = 56 },
            Faults =
            [
                new FaultPeriod { Kind = FaultKinds.Abort, Fraction = 0.01, StartSeconds = 2, EndSeconds = 7 },
                new FaultPeriod { Kind = FaultKinds.Restart, StartSeconds = 8, EndSeconds = 8 },
            ],
        };

    [Fact]
    public void WriteAll_ScenariosWithFaults_ShowTheTableTheSentenceAndTheMarkedChart()
    {
        var results = new ResultsDocument
        {
            Environment = SampleResults.Environment("faults"),
            Scenarios = [Faulted(TransportIds.Sse, 20, 300), Faulted(TransportIds.WebSocket, 10, 150), SampleResults.Scenario(TransportIds.Polling, 10)],
        };

        var files = ReportWriter.WriteAll(results, _directory, Small);
        var markdown = File.ReadAllText(files.MarkdownReport);

        Assert.Contains("## Faults and recovery", markdown, StringComparison.Ordinal);
        var rows = markdown.Split('\n').Where(l => l.StartsWith("| ", StringComparison.Ordinal) && l.Contains("abort 1%", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, rows.Count); // the polling scenario ran without faults: no row
        var sse = rows.Single(r => r.Contains("Server-Sent Events", StringComparison.Ordinal));
        // Recover p50: 20 ms as HdrHistogram holds it at 3 significant digits (the top of its bucket, 20.015 ms).
        Assert.Equal(
            ["sse\\_10\\_clients", "Server-Sent Events", "abort 1% 2–7 s; restart at 8 s", "1,234", "10", "56", "20.02", "300", "0", "0"],
            sse.Trim('|', ' ', '\r').Split('|').Select(c => c.Trim()));
        Assert.Contains("Through the injected faults (abort and restart) every client resumed from its cursor without losing or repeating an event (2,468 reconnects and 20 resets in all).", markdown, StringComparison.Ordinal);
        Assert.Matches(@"quickest with \S+ \(p99 150 ms\) and slowest with .+ \(p99 300 ms\)\.", markdown);
        Assert.Contains("Shaded: the periods of the injected faults", markdown, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(_directory, "plots", "latency-over-time-10c-10eps-256B.png")));
    }

    [Fact]
    public void WriteAll_NoFaults_HasNoFaultsSection()
    {
        var markdown = File.ReadAllText(ReportWriter.WriteAll(SampleResults.Create(), _directory, Small with { IncludeCharts = false }).MarkdownReport);

        Assert.DoesNotContain("Faults and recovery", markdown, StringComparison.Ordinal);
        Assert.DoesNotContain("injected faults", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void Joined_OverlappingPeriodsOfOneKind_BecomeOneSpan_OneOffsStay()
    {
        FaultPeriod P(string kind, double start, double end) => new() { Kind = kind, StartSeconds = start, EndSeconds = end };

        var joined = FaultMarks.Joined(
        [
            P(FaultKinds.Abort, 5.1, 65.1), P(FaultKinds.Abort, 5.0, 65.0), P(FaultKinds.Abort, 70, 71),
            P(FaultKinds.Pause, 6, 7), P(FaultKinds.Restart, 30, 30),
        ]);

        Assert.Equal(
            [(FaultKinds.Abort, 5.0, 65.1), (FaultKinds.Pause, 6, 7), (FaultKinds.Restart, 30, 30), (FaultKinds.Abort, 70, 71)],
            joined);
    }
}
