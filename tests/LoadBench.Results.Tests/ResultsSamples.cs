using HdrHistogram;

namespace LoadBench.Results.Tests;

/// <summary>Builds results documents from known samples, so a test can say exactly what a merge must give.</summary>
internal static class ResultsSamples
{
    /// <summary>Deterministic pseudo-random latencies in microseconds, spread from 50 µs to ~2 s.</summary>
    public static long[] Latencies(int seed, int count)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count)
            .Select(_ => (long)Math.Exp(random.NextDouble() * Math.Log(40_000)) * 50)
            .ToArray();
    }

    public static LongHistogram Histogram(IEnumerable<long> values)
    {
        var histogram = HistogramCodec.NewHistogram();
        foreach (var v in values)
        {
            histogram.RecordValue(v);
        }

        return histogram;
    }

    public static ResultsDocument Document(
        long[] eventLatencies, long[] requestLatencies, long[][] perSecond, int clients, long errors = 0,
        bool targetStartedByEngine = true, string hash = "abc123", string url = "http://127.0.0.1:5000")
    {
        var events = eventLatencies.LongLength;
        return new ResultsDocument
        {
            Environment = new RunEnvironment
            {
                ScenarioName = "merge_test",
                ScenarioHash = hash,
                StartedAt = DateTimeOffset.UnixEpoch,
                FinishedAt = DateTimeOffset.UnixEpoch.AddSeconds(10),
                ProcessorCount = 2,
                Os = "test",
                DotnetVersion = "10",
                LoadBenchVersion = "0",
                TargetUrl = url,
                TargetStartedByEngine = targetStartedByEngine,
            },
            Scenarios =
            [
                new ScenarioResult
                {
                    Name = "poll_10",
                    Transport = "poll",
                    LoadSimulation = "KeepConstant(copies: 10, during: 00:00:10)",
                    Clients = clients,
                    PublishRatePerSecond = 10,
                    PayloadBytes = 100,
                    PollIntervalMs = 100,
                    WarmUpSeconds = 1,
                    DurationSeconds = 10,
                    Latency = new LatencyResult
                    {
                        Event = LatencySummaries.FromHistogram(Histogram(eventLatencies)),
                        Request = LatencySummaries.FromHistogram(Histogram(requestLatencies)),
                    },
                    Throughput = new ThroughputResult
                    {
                        EventsDelivered = events,
                        EventsPerSecond = events / 10.0,
                        Requests = requestLatencies.LongLength,
                        RequestsPerSecond = requestLatencies.LongLength / 10.0,
                        EmptyResponseShare = 0.5,
                    },
                    Bytes = ResultFigures.Bytes(events * 100, events * 2, requestLatencies.LongLength * 150, events),
                    Integrity = new IntegrityResult { Lost = 1, Duplicates = 2, Reorders = 3, Reconnects = 4, GoneSignals = 5 },
                    Errors = new ErrorsResult
                    {
                        Count = errors,
                        Rate = ResultFigures.Ratio(errors, requestLatencies.LongLength),
                        ByKind = new Dictionary<string, long> { ["http_503"] = errors },
                    },
                    Server = ResultFigures.ServerCost(200, 0.02, 50_000_000, 60_000_000, events, clients),
                    TimeSeries = perSecond.Select((values, i) => new TimeSeriesPoint
                    {
                        T = i + 1,
                        EventsPerSecond = values.Length,
                        P50Ms = LatencySummaries.PercentileMs(Histogram(values), 50),
                        P99Ms = LatencySummaries.PercentileMs(Histogram(values), 99),
                        Clients = clients,
                        Histogram = HistogramCodec.Encode(Histogram(values)),
                    }).ToList(),
                },
            ],
        };
    }

    /// <summary>Every recorded (value, count) pair: two histograms are equal when these are.</summary>
    public static List<(long Value, long Count)> Buckets(HistogramBase histogram) =>
        histogram.RecordedValues().Select(v => (v.ValueIteratedTo, v.CountAtValueIteratedTo)).ToList();
}
