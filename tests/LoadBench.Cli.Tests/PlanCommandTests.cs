using LoadBench.Cli.Tests.TestSupport;
using LoadBench.Results;

namespace LoadBench.Cli.Tests;

/// <summary><c>loadbench plan</c> as a user runs it: a results file in, a table (and charts) out, or exit 2 and why.</summary>
public sealed class PlanCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("loadbench-plan-").FullName;

    [Fact]
    public async Task Plan_GoodResults_PrintsTheTableAndWritesCharts()
    {
        var file = await WriteAsync(Scenario(kibPerConnection: 10));
        var output = Path.Combine(_folder, "plan");

        var run = await LoadBenchProcess.RunAsync(TimeSpan.FromMinutes(1), "plan", file,
            "--subscribers", "2001", "--rate", "1", "--payload-bytes", "256", "--instance-cores", "2", "--instance-memory-gib", "4", "-o", output);

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        // 2,001 subscribers × 1 event/s × 40 ms per 1,000 events = 80 ms/s = 0.08 cores; just over 10× the 200 measured.
        Assert.Contains("Server-Sent Events  sse_200 (200 clients)", run.StandardOutput, StringComparison.Ordinal);
        Assert.Contains(" 0.08 ", run.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("Instances (2 cores, 4 GiB)", run.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("Assumptions:", run.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("2,001 subscribers is ×10 the 200 measured", run.StandardOutput, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(output, "plots", "capacity-cores.png")));
        Assert.True(File.Exists(Path.Combine(output, "plots", "capacity-instances.svg")));
        Assert.True(File.Exists(Path.Combine(output, "plan.txt")));
        Assert.Contains("\"targetCpuMsPerSecond\": 80.04", await File.ReadAllTextAsync(Path.Combine(output, "plan.json")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plan_WithAnIdleScenario_WritesTheMemoryResolutionAndTheInterval()
    {
        // SSE 200 × 10 KiB = 2,048,000 B of growth; the idle scenario's heap moved 3,800,000 − 3,000,000 = 800,000 B (R).
        // 4 R = 3,200,000 > 2,048,000: not resolved. To 2,000 subscribers (× 10): (2,048,000 ± 800,000) × 10.
        var sse = Scenario(kibPerConnection: 10);
        var idle = sse with
        {
            Name = "idle", Clients = 0,
            Throughput = sse.Throughput with { EventsDelivered = 0, EventsPerSecond = 0, Requests = 0, RequestsPerSecond = 0 },
            Server = sse.Server with
            {
                CpuMs = 40, CpuMsPer1000Events = null, KibPerConnection = null,
                RetainedHeapBytesBefore = 3_000_000, RetainedHeapBytesWithClients = 3_800_000,
            },
        };
        var file = await WriteAsync(sse, idle);
        var output = Path.Combine(_folder, "plan");

        var run = await LoadBenchProcess.RunAsync(TimeSpan.FromMinutes(1), "plan", file,
            "--subscribers", "2000", "--rate", "1", "--payload-bytes", "256", "-o", output);

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Contains("is below 4× the resolution", run.StandardOutput, StringComparison.Ordinal);
        var json = await File.ReadAllTextAsync(Path.Combine(output, "plan.json"));
        foreach (var expected in new[]
        {
            "\"measuredGrowthBytes\": 2048000", "\"memoryResolutionBytes\": 800000", "\"memoryResolutionFrom\": \"idle\"",
            "\"memoryResolved\": false", "\"retainedMemoryLowerBytes\": 12480000", "\"retainedMemoryUpperBytes\": 28480000",
            "\"retainedMemoryBytes\": 28480000",
        })
        {
            Assert.Contains(expected, json, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Plan_ResultsWithoutMemoryPerConnection_Exits2_NamingTheField()
    {
        var file = await WriteAsync(Scenario(kibPerConnection: null));

        var run = await LoadBenchProcess.RunAsync(TimeSpan.FromMinutes(1), "plan", file, "--subscribers", "2000", "--rate", "1", "--payload-bytes", "256");

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Contains("cannot project", run.StandardError, StringComparison.Ordinal);
        Assert.Contains("scenario 'sse_200': server.kibPerConnection is missing", run.StandardError, StringComparison.Ordinal);
        Assert.Equal(string.Empty, run.StandardOutput);
    }

    [Theory]
    [InlineData("--instance-memory-gib", "0.25", "--instance-memory-gib 0.25 leaves nothing for connections")]
    [InlineData("--rate", "fast", "--rate must be a number")]
    [InlineData("--poll-interval", "soon", "--poll-interval must be a duration")]
    [InlineData("--subscribers", "-5", "--subscribers must be a")]
    public async Task Plan_BadOption_Exits2_NamingIt(string option, string value, string expected)
    {
        var file = await WriteAsync(Scenario(kibPerConnection: 10));
        var args = new Dictionary<string, string> { ["--subscribers"] = "2000", ["--rate"] = "1", ["--payload-bytes"] = "256" };
        args[option] = value;

        var run = await LoadBenchProcess.RunAsync(TimeSpan.FromMinutes(1), ["plan", file, .. args.SelectMany(a => new[] { a.Key, a.Value })]);

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Contains(expected, run.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plan_WithoutRate_Exits2_SayingWhatIsMissing()
    {
        var file = await WriteAsync(Scenario(kibPerConnection: 10));

        var run = await LoadBenchProcess.RunAsync(TimeSpan.FromMinutes(1), "plan", file, "--subscribers", "2000", "--payload-bytes", "256");

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Contains("(missing: --rate)", run.StandardError, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private async Task<string> WriteAsync(params ScenarioResult[] scenarios)
    {
        var file = Path.Combine(_folder, Guid.NewGuid().ToString("N") + ".json");
        var document = new ResultsDocument
        {
            Environment = new RunEnvironment
            {
                ScenarioName = "plan-test", ScenarioHash = new string('0', 64),
                StartedAt = DateTimeOffset.UnixEpoch, FinishedAt = DateTimeOffset.UnixEpoch.AddSeconds(20),
                ProcessorCount = 2, Os = "Linux", DotnetVersion = "10.0.1", LoadBenchVersion = "0.1.0",
                TargetUrl = "http://127.0.0.1:5005", TargetStartedByEngine = true,
            },
            Scenarios = scenarios,
        };
        await ResultsFile.WriteAsync(file, document, CancellationToken.None);
        return file;
    }

    /// <summary>SSE, 200 clients, 1 event/s of 256 B for 10 s: 2,000 events, 80 ms of target CPU (40 ms per 1,000).</summary>
    private static ScenarioResult Scenario(double? kibPerConnection)
    {
        var histogram = HistogramCodec.NewHistogram();
        histogram.RecordValueWithCount(1000, 2000);
        return new ScenarioResult
        {
            Name = "sse_200", Transport = "sse", LoadSimulation = "KeepConstant(copies: 200, during: 00:00:10)", Clients = 200,
            PublishRatePerSecond = 1, PayloadBytes = 256, WarmUpSeconds = 2, DurationSeconds = 10,
            Latency = new LatencyResult { Event = LatencySummaries.FromHistogram(histogram) },
            Throughput = new ThroughputResult { EventsDelivered = 2000, EventsPerSecond = 200, Requests = 200, RequestsPerSecond = 20 },
            Bytes = ResultFigures.Bytes(payload: 2000 * 281, framing: 2000 * 14, headers: 200 * 150, events: 2000),
            Integrity = new IntegrityResult { Lost = 0, Duplicates = 0, Reorders = 0, Reconnects = 0, GoneSignals = 0 },
            Errors = new ErrorsResult { Count = 0, Rate = 0, ByKind = new Dictionary<string, long>() },
            Server = new ServerCostResult
            {
                CpuMs = 80, CpuMsPer1000Events = 40, CpuCores = 0.008, WorkingSetBytesBefore = 1, WorkingSetBytesPeak = 1,
                KibPerConnection = kibPerConnection,
            },
            TimeSeries = [],
        };
    }
}
