using LoadBench.Results;

namespace LoadBench.Gate.Tests.TestSupport;

/// <summary>Builds results documents with known figures: the independent truth the gate's numbers are checked against.</summary>
internal static class Trials
{
    public const string Hash = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    /// <summary>One scenario's result whose latency histogram holds exactly <paramref name="latencyMicros"/>.</summary>
    public static ScenarioResult Scenario(
        string name, string transport, IEnumerable<long> latencyMicros, long events = 100, double durationSeconds = 1,
        long payload = 10_000, long framing = 2_000, long headers = 500, long lost = 0, long errors = 0, long requests = 0,
        double cpuMs = 50, bool withRequestLatency = false)
    {
        var histogram = HistogramCodec.NewHistogram();
        foreach (var micros in latencyMicros)
        {
            histogram.RecordValue(micros);
        }

        return new ScenarioResult
        {
            Name = name,
            Transport = transport,
            LoadSimulation = "KeepConstant(copies: 3, during: 00:00:01)",
            Clients = 3,
            PublishRatePerSecond = 50,
            PayloadBytes = 64,
            WarmUpSeconds = 0.5,
            DurationSeconds = durationSeconds,
            Latency = new LatencyResult
            {
                Event = LatencySummaries.FromHistogram(histogram),
                Request = withRequestLatency ? LatencySummaries.FromHistogram(histogram) : null,
            },
            Throughput = new ThroughputResult
            {
                EventsDelivered = events,
                EventsPerSecond = events / durationSeconds,
                Requests = requests,
                RequestsPerSecond = requests / durationSeconds,
            },
            Bytes = ResultFigures.Bytes(payload, framing, headers, events),
            Integrity = new IntegrityResult { Lost = lost, Duplicates = 0, Reorders = 0, Reconnects = 0, GoneSignals = 0 },
            Errors = new ErrorsResult { Count = errors, Rate = ResultFigures.Ratio(errors, requests), ByKind = new Dictionary<string, long>() },
            Server = ResultFigures.ServerCost(cpuMs, 0.1, 50_000_000, 50_000_000 + (3 * 1024 * 100), events, 3),
            TimeSeries = [],
        };
    }

    /// <summary>A latency sample of <paramref name="count"/> values all equal to <paramref name="ms"/> milliseconds.</summary>
    public static IEnumerable<long> Constant(double ms, int count = 100) => Enumerable.Repeat((long)(ms * 1000), count);

    public static ResultsDocument Document(params ScenarioResult[] scenarios) => Document(Hash, scenarios);

    public static ResultsDocument Document(string hash, params ScenarioResult[] scenarios) => new()
    {
        Environment = new RunEnvironment
        {
            ScenarioName = "gate_test",
            ScenarioHash = hash,
            StartedAt = new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero),
            FinishedAt = new DateTimeOffset(2026, 11, 25, 12, 0, 10, TimeSpan.Zero),
            ProcessorCount = Environment.ProcessorCount,
            Os = "test",
            DotnetVersion = ".NET 10",
            LoadBenchVersion = "0.1.0",
            TargetUrl = "http://127.0.0.1:5000/",
            TargetStartedByEngine = true,
        },
        Scenarios = scenarios,
    };

    /// <summary>Trials of one SSE scenario whose p50 latencies are the given values (ms).</summary>
    public static List<ResultsDocument> SseWithP50(params double[] p50Ms) =>
        p50Ms.Select(ms => Document(Scenario("gate_sse", "sse", Constant(ms)))).ToList();
}
