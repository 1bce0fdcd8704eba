using HdrHistogram;
using LoadBench.Contracts;
using LoadBench.Engine.Metrics;
using LoadBench.Engine.Scenarios;
using LoadBench.Results;

namespace LoadBench.Engine.Running;

/// <summary>What one scenario's measured phase left behind, before it becomes a <see cref="ScenarioResult"/>.</summary>
internal sealed record MeasuredPhase(
    Scenario Scenario,
    ClientCountersSnapshot Counters,
    ClientCountersSnapshot InWindow,
    ClientCountersSnapshot Lifetime,
    HistogramBase EventLatency,
    HistogramBase RequestLatency,
    TimeSpan Duration,
    int PeakClients,
    ServerWindow Server,
    IReadOnlyList<TimeSeriesPoint> TimeSeries)
{
    /// <summary>Time to recover of every cut connection that recovered (null or empty: none was cut).</summary>
    public HistogramBase? Recovery { get; init; }

    /// <summary>The target's faults over the window, on its time axis (null: none).</summary>
    public IReadOnlyList<FaultPeriod>? Faults { get; init; }
}

/// <summary>The target's process readings: before the scenario's clients started, and the CPU window
/// (measured-phase start → after the drain) with its wall time.</summary>
internal sealed record ServerWindow(
    long WorkingSetBefore, long WorkingSetPeak, double CpuMsStart, double CpuMsEnd, TimeSpan Wall,
    long RetainedHeapBefore, long? RetainedHeapWithClients)
{
    /// <summary>The target's working set after a full collection with every client connected (null: not read).</summary>
    public long? ResidentWithClients { get; init; }
}

/// <summary>Builds the results entry of a scenario from its measured phase: every figure from counted totals.</summary>
internal static class ScenarioResultBuilder
{
    public static ScenarioResult Build(MeasuredPhase phase)
    {
        var scenario = phase.Scenario;
        var counters = phase.Counters;
        var seconds = phase.Duration.TotalSeconds;
        var polling = scenario.Transport is TransportIds.Polling or TransportIds.LongPolling;
        var cpuMs = Math.Max(0, phase.Server.CpuMsEnd - phase.Server.CpuMsStart);

        return new ScenarioResult
        {
            Name = scenario.Name,
            Transport = scenario.Transport,
            LoadSimulation = scenario.DescribeLoad(),
            Clients = phase.PeakClients,
            PublishRatePerSecond = scenario.Feed.RatePerSecond,
            PayloadBytes = scenario.Feed.PayloadBytes,
            PollIntervalMs = scenario.Transport == TransportIds.Polling && !scenario.IsOpenModel ? scenario.Client.PollInterval.TotalMilliseconds : null,
            WarmUpSeconds = scenario.WarmUp.TotalSeconds,
            DurationSeconds = seconds,
            Setup = scenario.Setup.ToResult(),
            Latency = new LatencyResult
            {
                Event = LatencySummaries.FromHistogram(phase.EventLatency),
                Request = polling ? LatencySummaries.FromHistogram(phase.RequestLatency) : null,
                Recovery = phase.Recovery is { TotalCount: > 0 } recovery ? LatencySummaries.FromHistogram(recovery) : null,
            },
            Throughput = new ThroughputResult
            {
                EventsDelivered = counters.EventsDelivered,
                EventsDeliveredInWindow = phase.InWindow.EventsDelivered,
                EventsPerSecond = PerSecond(phase.InWindow.EventsDelivered, seconds),
                Requests = counters.Requests,
                RequestsPerSecond = PerSecond(phase.InWindow.Requests, seconds),
                EmptyResponseShare = polling ? ResultFigures.Ratio(counters.EmptyResponses, counters.Requests) : null,
            },
            // Over the connections' whole lives, so each connection's headers are shared over all its events.
            Bytes = TlsBytes.With(LifetimeBytes(scenario, phase.Lifetime), phase.Lifetime.TlsBytes, scenario.Setup.Tls),
            Integrity = new IntegrityResult
            {
                Lost = counters.Lost,
                Duplicates = counters.Duplicates,
                Reorders = counters.Reorders,
                Reconnects = counters.Reconnects,
                GoneSignals = counters.GoneSignals,
                Resets = counters.Resets,
                TooSlowSignals = counters.TooSlowSignals,
                // Delivered after the window, in the drain: published in it, received late.
                LateEvents = Math.Max(0, counters.EventsDelivered - phase.InWindow.EventsDelivered),
            },
            Errors = new ErrorsResult
            {
                Count = counters.ErrorCount,
                Rate = ResultFigures.ErrorRate(counters.ErrorCount, counters.Requests),
                ByKind = new SortedDictionary<string, long>(counters.Errors.ToDictionary(e => e.Key, e => e.Value), StringComparer.Ordinal),
            },
            Server = ResultFigures.ServerCost(
                cpuMs,
                phase.Server.Wall > TimeSpan.Zero ? cpuMs / phase.Server.Wall.TotalMilliseconds : 0,
                phase.Server.WorkingSetBefore,
                Math.Max(phase.Server.WorkingSetPeak, phase.Server.WorkingSetBefore),
                counters.EventsDelivered,
                phase.PeakClients,
                phase.Server.RetainedHeapBefore,
                phase.Server.RetainedHeapWithClients,
                phase.Server.ResidentWithClients),
            TimeSeries = phase.TimeSeries,
            Faults = phase.Faults,
            Idle = scenario.Feed.RatePerSecond == 0
                ? IdleCostResult.Of(phase.InWindow.SocketBytesRead + phase.InWindow.SocketBytesWritten, seconds,
                    phase.Server.Wall > TimeSpan.Zero ? cpuMs / phase.Server.Wall.TotalMilliseconds : null, phase.PeakClients)
                : null,
        };
    }

    private static double PerSecond(long count, double seconds) => seconds > 0 ? count / seconds : 0;

    /// <summary>The clients' bytes over their connections' lives; with compression the wire's payload is the
    /// compressed body, and the uncompressed split is given beside it.</summary>
    private static BytesResult LifetimeBytes(Scenario scenario, ClientCountersSnapshot lifetime)
    {
        var wire = ResultFigures.Bytes(lifetime.PayloadBytes, lifetime.FramingBytes, lifetime.HeaderBytes, lifetime.EventsDelivered);
        return scenario.Setup.Compression == Contracts.CompressionKinds.None
            ? wire
            : ResultFigures.WithUncompressed(wire, lifetime.UncompressedPayloadBytes, lifetime.DecodedBodyBytes);
    }
}
