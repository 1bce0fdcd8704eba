using LoadBench.Reporting.Tests.TestSupport;

namespace LoadBench.Reporting.Tests.Capacity;

public sealed class CapacitySectionTests
{
    [Fact]
    public void Report_HasCapacityPlanningFor100000Subscribers_WithAssumptionsAndCharts()
    {
        var markdown = Markdown(SampleResults.Create(), new ReportOptions { ChartWidth = 600, ChartHeight = 400 });

        Assert.Contains("## Capacity planning", markdown, StringComparison.Ordinal);
        Assert.Contains("Target cost projected for 100,000 subscribers", markdown, StringComparison.Ordinal);
        // SSE at 100,000 × 10 events/s × 25 ms / 1,000 events = 25 cores; 70 % of 4 per instance → 9 instances.
        Assert.Contains("| Server-Sent Events | sse\\_100\\_clients (100 clients) | 25 |", markdown, StringComparison.Ordinal);
        Assert.Contains("kernel socket buffers are not in it", markdown, StringComparison.Ordinal);
        Assert.Contains("plots/capacity-cores.png", markdown, StringComparison.Ordinal);
        Assert.Contains("plots/capacity-instances.png", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void Report_TransportWithoutFigures_IsNamedNotProjected()
    {
        var sse = SampleResults.Scenario(Contracts.TransportIds.Sse, 100);
        var results = NoisyResults.Document(sse with { Server = sse.Server with { CpuMsPer1000Events = null } }, SampleResults.Scenario(Contracts.TransportIds.WebSocket, 100));

        var markdown = Markdown(results, new ReportOptions { IncludeCharts = false });

        Assert.Contains("Not projected: Server-Sent Events: scenario 'sse\\_100\\_clients': server.cpuMsPer1000Events is missing.", markdown, StringComparison.Ordinal);
        Assert.Contains("| WebSocket | ws\\_100\\_clients (100 clients) |", markdown, StringComparison.Ordinal);
    }

    private static string Markdown(Results.ResultsDocument results, ReportOptions options)
    {
        var folder = Directory.CreateTempSubdirectory("loadbench-capacity-").FullName;
        try
        {
            return File.ReadAllText(ReportWriter.WriteAll(results, folder, options).MarkdownReport);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
