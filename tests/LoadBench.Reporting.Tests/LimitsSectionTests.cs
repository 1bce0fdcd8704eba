using LoadBench.Reporting.Tests.TestSupport;
using LoadBench.Results;

namespace LoadBench.Reporting.Tests;

/// <summary>The report's "Limits" section (<c>loadbench limits</c>): table, charts with the SLO line, and a
/// sentence per transport in "What this means".</summary>
public sealed class LimitsSectionTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "loadbench-limits-" + Guid.NewGuid().ToString("N"));

    private static readonly string[] Slo = ["latency/p99 <= 250ms", "integrity/lost == 0", "errors/rate <= 0.1%"];

    private static LimitStep Step(double level, double p99, bool met) => new()
    {
        Level = level, Scenario = $"sse_limit_at_{level}", MetSlo = met, BrokenRule = met ? null : $"latency/p99 <= 250ms (was {p99} ms)",
        P99Ms = p99, EventsPerSecond = level * 10, TargetCores = 0.8, EngineCores = 1.1, FdLimitErrors = 0, ConnectErrors = 0,
    };

    private static ResultsDocument WithLimits() => SampleResults.Create() with
    {
        Limits =
        [
            new LimitSearchResult
            {
                Scenario = "sse_subscribers_limit", Transport = "sse", Vary = "copies", From = 100, To = 6400, Slo = Slo,
                Steps = [Step(100, 3, true), Step(200, 5, true), Step(400, 600, false), Step(300, 40, true), Step(350, 300, false), Step(325, 200, true)],
                HighestMet = 325, FirstFailed = 350, BrokenRule = "latency/p99 <= 250ms (was 300 ms)", Bottleneck = "engine CPU",
                Label = "machine-bound (target and engine share the cores)", Complete = true,
            },
            new LimitSearchResult
            {
                Scenario = "ws_subscribers_limit", Transport = "ws", Vary = "copies", From = 100, To = 400, Slo = Slo,
                Steps = [Step(100, 2, true), Step(200, 2, true), Step(400, 3, true)],
                HighestMet = 400, Bottleneck = "target CPU", Label = "not reached up to 400", Complete = true,
            },
        ],
    };

    [Fact]
    public void WriteAll_WithLimits_RendersTheSectionTableChartsAndSentences()
    {
        var files = ReportWriter.WriteAll(WithLimits(), _directory, WrittenReport.Options);

        var markdown = File.ReadAllText(Path.Combine(_directory, "report.md"));
        Assert.Contains("## Limits", markdown, StringComparison.Ordinal);
        Assert.Contains("machine-bound (target and engine share the cores)", markdown, StringComparison.Ordinal);
        Assert.Contains("not reached up to 400", markdown, StringComparison.Ordinal);
        Assert.Contains("Server-Sent Events met the SLO up to 325 clients and missed it at 350", markdown, StringComparison.Ordinal);
        Assert.Contains("WebSocket met the SLO at every level tried, up to 400 clients", markdown, StringComparison.Ordinal);
        foreach (var stem in new[] { "limits-p99-vs-clients", "limits-events-per-second-vs-clients" })
        {
            Assert.Contains(files.All, f => Path.GetFileName(f) == stem + ".png");
            var svg = File.ReadAllText(Path.Combine(_directory, "plots", stem + ".svg"));
            Assert.Contains("<svg", svg, StringComparison.Ordinal);
        }

        Assert.Contains("SLO: p99 ≤ 250 ms", File.ReadAllText(Path.Combine(_directory, "plots", "limits-p99-vs-clients.svg")), StringComparison.Ordinal);
    }

    [Fact]
    public void WriteAll_WithoutLimits_HasNoLimitsSection()
    {
        ReportWriter.WriteAll(SampleResults.Create(), _directory, WrittenReport.Options);

        Assert.DoesNotContain("## Limits", File.ReadAllText(Path.Combine(_directory, "report.md")), StringComparison.Ordinal);
    }

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}
