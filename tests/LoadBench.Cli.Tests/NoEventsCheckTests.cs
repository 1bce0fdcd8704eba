using LoadBench.Engine.Scenarios;
using LoadBench.Results;

namespace LoadBench.Cli.Tests;

/// <summary>The one judgement `run` and `gate` share: delivering nothing fails a scenario whose feed published and
/// whose load opened clients, and no other.</summary>
public sealed class NoEventsCheckTests
{
    [Fact]
    public void Failed_NamesOnlyThePublishingScenarioWithClientsThatDeliveredNothing()
    {
        // Parsed from a scenario file, as `run` and `gate` get them: the load models are the engine's own.
        var planned = ScenarioFile.Parse(System.Text.Encoding.UTF8.GetBytes("""
            { "name": "no_events", "defaults": { "feed": { "ratePerSecond": 5, "payloadBytes": 64 } },
              "scenarios": [
                { "name": "idle_by_load", "transport": "sse", "load": [ { "model": "RampingConstant", "copies": 0, "during": "2s" } ] },
                { "name": "silent_feed", "transport": "sse", "feed": { "ratePerSecond": 0 }, "load": [ { "model": "KeepConstant", "copies": 5, "during": "2s" } ] },
                { "name": "broken", "transport": "sse", "load": [ { "model": "KeepConstant", "copies": 5, "during": "2s" } ] },
                { "name": "working", "transport": "sse", "load": [ { "model": "KeepConstant", "copies": 5, "during": "2s" } ] } ] }
            """), "no_events.json").Scenarios;
        var results = Document(Result("idle_by_load", rate: 5, delivered: 0), Result("silent_feed", rate: 0, delivered: 0),
            Result("broken", rate: 5, delivered: 0), Result("working", rate: 5, delivered: 50));

        Assert.Equal(["broken"], NoEventsCheck.Failed(results, planned));
    }

    private static ScenarioResult Result(string name, double rate, long delivered) => new()
    {
        Name = name, Transport = "sse", LoadSimulation = "test", Clients = 5,
        PublishRatePerSecond = rate, PayloadBytes = 64, WarmUpSeconds = 0, DurationSeconds = 2,
        Latency = new LatencyResult { Event = LatencySummaries.FromHistogram(HistogramCodec.NewHistogram()) },
        Throughput = new ThroughputResult { EventsDelivered = delivered, EventsPerSecond = delivered / 2.0, Requests = 5, RequestsPerSecond = 2.5 },
        Bytes = ResultFigures.Bytes(payload: delivered * 64, framing: 0, headers: 0, events: delivered),
        Integrity = new IntegrityResult { Lost = 0, Duplicates = 0, Reorders = 0, Reconnects = 0, GoneSignals = 0 },
        Errors = new ErrorsResult { Count = 0, Rate = 0, ByKind = new Dictionary<string, long>() },
        Server = new ServerCostResult { CpuMs = 1, CpuCores = 0.001, WorkingSetBytesBefore = 1, WorkingSetBytesPeak = 1 },
        TimeSeries = [],
    };

    private static ResultsDocument Document(params ScenarioResult[] scenarios) => new()
    {
        Environment = new RunEnvironment
        {
            ScenarioName = "no-events-test", ScenarioHash = new string('0', 64),
            StartedAt = DateTimeOffset.UnixEpoch, FinishedAt = DateTimeOffset.UnixEpoch.AddSeconds(8),
            ProcessorCount = 2, Os = "Linux", DotnetVersion = "10.0.1", LoadBenchVersion = "0.1.0",
            TargetUrl = "http://127.0.0.1:5005", TargetStartedByEngine = true,
        },
        Scenarios = scenarios,
    };
}
