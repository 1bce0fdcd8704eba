using LoadBench.Contracts;
using LoadBench.Reporting.Tests.TestSupport;

namespace LoadBench.Reporting.Tests;

/// <summary>The written report with repeated trials and with one run's per-second histograms: tables and charts show the spread.</summary>
public sealed class ReportWriterSpreadTests : IDisposable
{
    private static readonly ReportOptions Options = new() { ChartWidth = 800, ChartHeight = 450 };
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "loadbench-spread-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public void WriteAll_Trials_ShowsMedianAndRangeAndDrawsTheSpreadChart()
    {
        var results = NoisyResults.Document(
            NoisyResults.WithTrials(TransportIds.Sse, 52, 55, 50, 58, 53),
            NoisyResults.WithTrials(TransportIds.WebSocket, 38, 36, 41, 37, 39));

        var files = ReportWriter.WriteAll(results, _directory, Options);

        var markdown = File.ReadAllText(files.MarkdownReport);
        Assert.Contains("Each scenario ran 5 times", markdown, StringComparison.Ordinal);
        Assert.Contains("| Trials | 5 | 5 |", markdown, StringComparison.Ordinal);
        // p99 row: median (lowest–highest) of the hand-set trials, per transport column (SSE, then WebSocket).
        Assert.Matches(@"\| Latency p99 \(ms\) \| 53\.\d+ \(50\.\d+–58\.\d+\) \| 38\.\d+ \(36\.\d+–41\.\d+\) \|", markdown);
        Assert.Contains("p = 0.008", markdown, StringComparison.Ordinal);
        var chart = Path.Combine(_directory, "plots", "latency-spread-100c-10eps-256B.svg");
        Assert.True(File.Exists(chart), chart);
        Assert.Contains(TransportColors.Hex(TransportIds.WebSocket), File.ReadAllText(chart), StringComparison.OrdinalIgnoreCase);
        Assert.True(new FileInfo(Path.ChangeExtension(chart, ".png")).Length > 10_000);
    }

    [Fact]
    public void WriteAll_OneRunWithSecondHistograms_ShowsTheIntervalRows()
    {
        double[][] Seconds(double low, double high) => [.. Enumerable.Range(0, 4).Select(i => NoisyResults.Spread(low, high + i, 300, seed: i))];
        var results = NoisyResults.Document(
            NoisyResults.WithSeconds(TransportIds.Sse, Seconds(10, 20)),
            NoisyResults.WithSeconds(TransportIds.WebSocket, Seconds(1, 3)));

        var files = ReportWriter.WriteAll(results, _directory, Options);

        var markdown = File.ReadAllText(files.MarkdownReport);
        Assert.Contains("resampling its 4 one-second histograms", markdown, StringComparison.Ordinal);
        Assert.Matches(@"\| Latency p99, 95% interval \(ms\) \| 2[0-3]\.\d+–2[0-3]\.\d+ \| [3-6]\.?\d*–[3-6]\.?\d* \|", markdown);
        Assert.DoesNotContain("| Trials |", markdown, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(_directory, "plots", "latency-spread-100c-10eps-256B.png")));
    }

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}
