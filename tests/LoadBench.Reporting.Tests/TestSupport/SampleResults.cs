using LoadBench.Contracts;
using LoadBench.Results;

namespace LoadBench.Reporting.Tests.TestSupport;

/// <summary>
/// A results document with numbers chosen by hand, so every figure a report shows has an independent truth:
/// four transports at 10 and 100 clients, 10 events/s, 256 B payload. Latency histograms are real
/// HdrHistograms recorded from known samples and encoded as the engine stores them.
/// </summary>
internal static class SampleResults
{
    public const double Rate = 10;
    public const int Payload = 256;
    public const double DurationSeconds = 10;

    /// <summary>p99 at 100 clients by design: WebSocket lowest, short polling highest.</summary>
    public static readonly IReadOnlyDictionary<string, double> P99MsAt100 = new Dictionary<string, double>
    {
        [TransportIds.Polling] = 480,
        [TransportIds.LongPolling] = 12,
        [TransportIds.Sse] = 4,
        [TransportIds.WebSocket] = 3,
    };

    /// <summary>Header bytes per delivered event, the same at both client counts.</summary>
    public static readonly IReadOnlyDictionary<string, double> HeadersPerEvent = new Dictionary<string, double>
    {
        [TransportIds.Polling] = 300,
        [TransportIds.LongPolling] = 150,
        [TransportIds.Sse] = 0.5,
        [TransportIds.WebSocket] = 0.25,
    };

    public static readonly IReadOnlyDictionary<string, double> FramingPerEvent = new Dictionary<string, double>
    {
        [TransportIds.Polling] = 1,
        [TransportIds.LongPolling] = 2,
        [TransportIds.Sse] = 14,
        [TransportIds.WebSocket] = 4,
    };

    /// <summary>Short polling at 100 clients delivers only 600 events/s of the 1,000 published to its clients: saturation.</summary>
    public const double SaturatedPollingEventsPerSecond = 600;

    /// <summary>Long polling at 100 clients lost this many events and had this many HTTP 503s.</summary>
    public const long LongPollingLost = 3;
    public const long LongPollingErrors = 2;

    /// <summary>The payload of every event: 256 B of data inside the event JSON.</summary>
    public const double PayloadPerEvent = 281;

    public static ResultsDocument Create() => new()
    {
        Environment = Environment(),
        Scenarios = [.. new[] { 10, 100 }.SelectMany(clients => TransportIds.All.Select(t => Scenario(t, clients)))],
    };

    public static RunEnvironment Environment(string name = "compare-transports") => new()
    {
        ScenarioName = name,
        ScenarioHash = "3f1a9c0d5e7b2a4c6e8f0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f",
        StartedAt = new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero),
        FinishedAt = new DateTimeOffset(2026, 11, 25, 12, 2, 30, TimeSpan.Zero),
        ProcessorCount = 2,
        Os = "Debian GNU/Linux 12",
        DotnetVersion = "10.0.1",
        LoadBenchVersion = "0.1.0",
        GitCommit = "0123456789abcdef0123456789abcdef01234567",
        TargetUrl = "http://127.0.0.1:5005",
        TargetStartedByEngine = true,
    };

    public static ScenarioResult Scenario(string transport, int clients)
    {
        var p99 = clients == 100 ? P99MsAt100[transport] : P99MsAt100[transport] / 2;
        var p50 = p99 / 4;
        var eventsPerSecond = transport == TransportIds.Polling && clients == 100 ? SaturatedPollingEventsPerSecond : clients * Rate;
        var events = (long)(eventsPerSecond * DurationSeconds);
        var isPolling = transport is TransportIds.Polling or TransportIds.LongPolling;
        var requests = transport == TransportIds.Polling ? clients * 10L * (long)DurationSeconds : transport == TransportIds.LongPolling ? events / 2 : clients;
        var lost = transport == TransportIds.LongPolling && clients == 100 ? LongPollingLost : 0;
        var errors = transport == TransportIds.LongPolling && clients == 100 ? LongPollingErrors : 0;
        var cpuPer1000 = transport switch { TransportIds.Polling => 150.0, TransportIds.LongPolling => 60, TransportIds.Sse => 25, _ => 20 };
        var kib = transport switch { TransportIds.Polling => 2.0, TransportIds.LongPolling => 6, TransportIds.Sse => 10, _ => 12 };

        return new ScenarioResult
        {
            Name = $"{transport}_{clients}_clients",
            Transport = transport,
            LoadSimulation = $"KeepConstant(copies: {clients}, during: 00:00:10)",
            Clients = clients,
            PublishRatePerSecond = Rate,
            PayloadBytes = Payload,
            PollIntervalMs = transport == TransportIds.Polling ? 100 : null,
            WarmUpSeconds = 2,
            DurationSeconds = DurationSeconds,
            Latency = new LatencyResult
            {
                Event = Summary(TwoValueHistogram(p50, p99, events)),
                Request = isPolling ? Summary(TwoValueHistogram(1, 2, requests)) : null,
            },
            Throughput = new ThroughputResult
            {
                EventsDelivered = events,
                EventsPerSecond = eventsPerSecond,
                Requests = requests,
                RequestsPerSecond = requests / DurationSeconds,
                EmptyResponseShare = transport == TransportIds.Polling ? 0.9 : transport == TransportIds.LongPolling ? 0.05 : null,
            },
            Bytes = Bytes(transport, events),
            Integrity = new IntegrityResult { Lost = lost, Duplicates = 0, Reorders = 0, Reconnects = 0, GoneSignals = 0 },
            Errors = new ErrorsResult
            {
                Count = errors,
                Rate = requests > 0 ? (double)errors / requests : 0,
                ByKind = errors > 0 ? new Dictionary<string, long> { ["http_503"] = errors } : new Dictionary<string, long>(),
            },
            Server = new ServerCostResult
            {
                CpuMs = cpuPer1000 * events / 1000,
                CpuMsPer1000Events = cpuPer1000,
                CpuCores = 0.1,
                WorkingSetBytesBefore = 50_000_000,
                WorkingSetBytesPeak = 50_000_000 + (long)(kib * 1024 * clients),
                KibPerConnection = kib,
            },
            TimeSeries = [.. Enumerable.Range(1, (int)DurationSeconds).Select(t => new TimeSeriesPoint
            {
                T = t,
                EventsPerSecond = eventsPerSecond,
                P50Ms = p50 * (1 + t % 3 * 0.1),
                P99Ms = p99 * (1 + t % 2 * 0.2),
                Clients = clients,
            })],
        };
    }

    public static BytesResult Bytes(string transport, long events)
    {
        var payload = (long)(PayloadPerEvent * events);
        var framing = (long)(FramingPerEvent[transport] * events);
        var headers = (long)(HeadersPerEvent[transport] * events);
        return new BytesResult
        {
            Payload = payload,
            Framing = framing,
            Headers = headers,
            Total = payload + framing + headers,
            PerEvent = new BytesPerEvent
            {
                Payload = PayloadPerEvent,
                Framing = FramingPerEvent[transport],
                Headers = HeadersPerEvent[transport],
                Total = PayloadPerEvent + FramingPerEvent[transport] + HeadersPerEvent[transport],
            },
        };
    }

    /// <summary>
    /// <paramref name="count"/> samples: 98% at <paramref name="lowMs"/>, 2% at <paramref name="highMs"/>, so
    /// p50 is the low value and p99 the high one.
    /// </summary>
    public static HdrHistogram.LongHistogram TwoValueHistogram(double lowMs, double highMs, long count)
    {
        var histogram = HistogramCodec.NewHistogram();
        var high = Math.Max(1, count / 50);
        histogram.RecordValueWithCount((long)(lowMs * 1000), count - high);
        histogram.RecordValueWithCount((long)(highMs * 1000), high);
        return histogram;
    }

    public static LatencySummary Summary(HdrHistogram.HistogramBase histogram) => LatencySummaries.FromHistogram(histogram);
}
