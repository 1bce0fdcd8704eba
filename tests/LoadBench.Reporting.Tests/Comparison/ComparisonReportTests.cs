using LoadBench.Contracts;
using LoadBench.Reporting.Comparison;
using LoadBench.Reporting.Tests.TestSupport;
using LoadBench.Results;

namespace LoadBench.Reporting.Tests.Comparison;

public sealed class ComparisonReportTests
{
    /// <summary>A summary with hand-set percentiles (the histogram is only carried along).</summary>
    private static LatencySummary Latency(double p99) => SampleResults.Summary(SampleResults.TwoValueHistogram(1, 1, 100)) with
    {
        P50Ms = 1, P90Ms = 1, P99Ms = p99, P999Ms = p99, MaxMs = p99,
    };

    private static (ResultsDocument A, ResultsDocument B) Pair()
    {
        var a = SampleResults.Create();
        var scenariosA = a.Scenarios.Select(s => s.Name == "ws_100_clients" ? s with { Latency = new LatencyResult { Event = Latency(3) } } : s).ToList();
        var scenariosB = a.Scenarios
            .Where(s => s.Name != "poll_10_clients")
            .Select(s => s.Name switch
            {
                "ws_100_clients" => s with
                {
                    Latency = new LatencyResult { Event = Latency(6) },
                    Throughput = s.Throughput with { EventsPerSecond = 1100 },
                },
                "sse_100_clients" => s with { Integrity = s.Integrity with { Lost = 3 } },
                _ => s,
            })
            .Append(SampleResults.Scenario(TransportIds.Sse, 1000))
            .ToList();
        return (a with { Scenarios = scenariosA }, a with { Scenarios = scenariosB });
    }

    [Fact]
    public void Create_MatchingScenarios_GivesAbsoluteAndRelativeDeltas()
    {
        var (a, b) = Pair();
        var report = ComparisonReport.Create(a, b, "before.json", "after.json");

        Assert.Equal(7, report.Scenarios.Count);
        var ws = Assert.Single(report.Scenarios, s => s.Scenario == "ws_100_clients");
        var p99 = Assert.Single(ws.Metrics, m => m.Metric == "p99 latency (ms)");
        Assert.Equal(3, p99.Baseline);
        Assert.Equal(6, p99.Candidate);
        Assert.Equal(3, p99.Delta);
        Assert.Equal(100, p99.DeltaPercent);
        Assert.Equal("worse", p99.Direction);

        var throughput = Assert.Single(ws.Metrics, m => m.Metric == "events/s");
        Assert.Equal(100, throughput.Delta);
        Assert.Equal(10, throughput.DeltaPercent!.Value, 9);
        Assert.Equal("better", throughput.Direction);

        // 0 → 3 lost events: a change with no percentage.
        var lost = Assert.Single(Assert.Single(report.Scenarios, s => s.Scenario == "sse_100_clients").Metrics, m => m.Metric == "lost events");
        Assert.Equal(3, lost.Delta);
        Assert.Null(lost.DeltaPercent);
        Assert.Equal("worse", lost.Direction);

        Assert.Equal(["poll_10_clients (Short polling)"], report.OnlyInBaseline);
        Assert.Equal(["sse_1000_clients (Server-Sent Events)"], report.OnlyInCandidate);
        Assert.Empty(report.Warnings);
    }

    [Fact]
    public void ToMarkdown_Deltas_AppearInTheScenarioTable()
    {
        var (a, b) = Pair();
        var markdown = ComparisonReport.Create(a, b, "before.json", "after.json").ToMarkdown();

        Assert.Contains("## ws\\_100\\_clients — WebSocket", markdown, StringComparison.Ordinal);
        Assert.Contains("| Metric | before.json | after.json | Δ | Δ% | |", markdown, StringComparison.Ordinal);
        Assert.Contains("| p99 latency (ms) | 3 | 6 | +3 | +100% | worse |", markdown, StringComparison.Ordinal);
        Assert.Contains("| events/s | 1,000 | 1,100 | +100 | +10% | better |", markdown, StringComparison.Ordinal);
        Assert.Contains("| lost events | 0 | 3 | +3 | new | worse |", markdown, StringComparison.Ordinal);
        Assert.Contains("## Only in before.json", markdown, StringComparison.Ordinal);
        Assert.Contains("- sse\\_1000\\_clients (Server-Sent Events)", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void ToText_Deltas_AreAlignedInColumns()
    {
        var (a, b) = Pair();
        var text = ComparisonReport.Create(a, b, "A", "B").ToText();
        var lines = text.Split('\n');
        var start = Array.IndexOf(lines, "ws_100_clients (WebSocket)");
        Assert.True(start >= 0, text);
        var block = lines.Skip(start + 1).TakeWhile(l => l.Length > 0).ToList();
        var header = block[0];
        var p99 = Assert.Single(block, l => l.TrimStart().StartsWith("p99 latency (ms)", StringComparison.Ordinal));
        Assert.Contains("+100%", p99, StringComparison.Ordinal);
        Assert.EndsWith("worse", p99, StringComparison.Ordinal);
        // Right-aligned numbers: the Δ% column ends at the same offset on every line.
        var percentEnd = header.IndexOf("Δ%", StringComparison.Ordinal) + 2;
        Assert.Equal(percentEnd, p99.IndexOf("+100%", StringComparison.Ordinal) + 5);
    }

    [Fact]
    public void Create_DifferentScenarioFilesAndMachines_Warns()
    {
        var (a, b) = Pair();
        b = b with { Environment = b.Environment with { ScenarioHash = "ffff" + b.Environment.ScenarioHash[4..], ProcessorCount = 8 } };
        var report = ComparisonReport.Create(a, b);
        Assert.Equal(2, report.Warnings.Count);
        Assert.Contains(report.Warnings, w => w.StartsWith("The scenario files differ", StringComparison.Ordinal));
        Assert.Contains(report.Warnings, w => w.Contains("2 cores", StringComparison.Ordinal) && w.Contains("8 cores", StringComparison.Ordinal));
        Assert.Contains("WARNING: The scenario files differ", report.ToText(), StringComparison.Ordinal);
    }

    [Fact]
    public void Create_NoEventsInOneRun_LeavesLatencyDeltasOut()
    {
        var (a, _) = Pair();
        var silent = a with
        {
            Scenarios = [.. a.Scenarios.Select(s => s with { Latency = new LatencyResult { Event = SampleResults.Summary(HistogramCodec.NewHistogram()) } })],
        };
        var p99 = ComparisonReport.Create(a, silent).Scenarios[0].Metrics.Single(m => m.Metric == "p99 latency (ms)");
        Assert.Null(p99.Candidate);
        Assert.Null(p99.Delta);
        Assert.Null(p99.Direction);
    }
}
