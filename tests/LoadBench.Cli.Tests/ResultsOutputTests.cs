using LoadBench.Cli.Tests.TestSupport;
using LoadBench.Results;

namespace LoadBench.Cli.Tests;

/// <summary>An earlier run's results are never overwritten; an incomplete run is never a comparison's baseline.</summary>
public sealed class ResultsOutputTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("loadbench-output-").FullName;

    [Fact]
    public void FreshDirectory_MissingEmptyOrHoldingOtherFiles_IsUsedAsGiven()
    {
        var missing = Path.Combine(_folder, "run");
        var empty = Directory.CreateDirectory(Path.Combine(_folder, "empty")).FullName;
        var other = Directory.CreateDirectory(Path.Combine(_folder, "other")).FullName;
        File.WriteAllText(Path.Combine(other, "scenario.json"), "{}");

        Assert.Equal(missing, ResultsOutput.FreshDirectory(missing, ResultsOutput.RunFiles));
        Assert.True(Directory.Exists(missing));
        Assert.Equal(empty, ResultsOutput.FreshDirectory(empty, ResultsOutput.RunFiles));
        Assert.Equal(other, ResultsOutput.FreshDirectory(other, ResultsOutput.RunFiles));
    }

    [Fact]
    public void FreshDirectory_HoldingAnEarlierRun_GetsTheFirstFreeSuffix_AndNothingInTheOthersChanges()
    {
        var run = Path.Combine(_folder, "run");
        Directory.CreateDirectory(run);
        File.WriteAllText(Path.Combine(run, "results.json"), "first");
        Directory.CreateDirectory(Path.Combine(run + "-2", "plots"));
        File.WriteAllText(Path.Combine(run + "-2", "report.md"), "second");

        Assert.Equal(run + "-3", ResultsOutput.FreshDirectory(run + Path.DirectorySeparatorChar, ResultsOutput.RunFiles));

        Assert.Equal("first", File.ReadAllText(Path.Combine(run, "results.json")));
        Assert.Equal("second", File.ReadAllText(Path.Combine(run + "-2", "report.md")));
        Assert.Empty(Directory.EnumerateFileSystemEntries(run + "-3"));
    }

    [Fact]
    public async Task Compare_AnIncompleteBaseline_IsRefusedWithExit2SayingWhy_AnIncompleteCandidateIsNoted()
    {
        var complete = Path.Combine(_folder, "complete.json");
        var incomplete = Path.Combine(_folder, "incomplete.json");
        var document = Sample();
        await ResultsFile.WriteAsync(complete, document, CancellationToken.None);
        await ResultsFile.WriteAsync(incomplete, document with
        {
            Incomplete = new IncompleteMark { Reason = "interrupted (Ctrl-C)", At = DateTimeOffset.UnixEpoch },
        }, CancellationToken.None);

        var refused = await LoadBenchProcess.RunAsync(TimeSpan.FromMinutes(1), "compare", incomplete, complete);
        var noted = await LoadBenchProcess.RunAsync(TimeSpan.FromMinutes(1), "compare", complete, incomplete);

        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("marked incomplete (interrupted (Ctrl-C))", refused.StandardError, StringComparison.Ordinal);
        Assert.Contains("cannot be the baseline", refused.StandardError, StringComparison.Ordinal);
        Assert.True(noted.ExitCode == 0, noted.StandardError);
        Assert.Contains("is marked incomplete", noted.StandardOutput, StringComparison.Ordinal);
    }

    /// <summary>One SSE scenario, 10 clients, 100 events each at 1 ms.</summary>
    private static ResultsDocument Sample()
    {
        var histogram = HistogramCodec.NewHistogram();
        histogram.RecordValueWithCount(1000, 1000);
        return new ResultsDocument
        {
            Environment = new RunEnvironment
            {
                ScenarioName = "compare-test", ScenarioHash = new string('0', 64),
                StartedAt = DateTimeOffset.UnixEpoch, FinishedAt = DateTimeOffset.UnixEpoch.AddSeconds(20),
                ProcessorCount = 2, Os = "Linux", DotnetVersion = "10.0.1", LoadBenchVersion = "0.1.0",
                TargetUrl = "http://127.0.0.1:5005", TargetStartedByEngine = true,
            },
            Scenarios =
            [
                new ScenarioResult
                {
                    Name = "sse_10", Transport = "sse", LoadSimulation = "KeepConstant(copies: 10, during: 00:00:10)", Clients = 10,
                    PublishRatePerSecond = 10, PayloadBytes = 64, WarmUpSeconds = 1, DurationSeconds = 10,
                    Latency = new LatencyResult { Event = LatencySummaries.FromHistogram(histogram) },
                    Throughput = new ThroughputResult { EventsDelivered = 1000, EventsPerSecond = 100, Requests = 10, RequestsPerSecond = 1 },
                    Bytes = ResultFigures.Bytes(payload: 1000 * 90, framing: 1000 * 14, headers: 10 * 150, events: 1000),
                    Integrity = new IntegrityResult { Lost = 0, Duplicates = 0, Reorders = 0, Reconnects = 0, GoneSignals = 0 },
                    Errors = new ErrorsResult { Count = 0, Rate = 0, ByKind = new Dictionary<string, long>() },
                    Server = new ServerCostResult { CpuMs = 80, CpuMsPer1000Events = 80, CpuCores = 0.008, WorkingSetBytesBefore = 1, WorkingSetBytesPeak = 1 },
                    TimeSeries = [],
                },
            ],
        };
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
