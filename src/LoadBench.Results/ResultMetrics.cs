namespace LoadBench.Results;

/// <summary>
/// Reads one metric, named as rules name it (<c>latency/p99</c>, <c>errors/rate</c>; the list is
/// LoadBench.Syntax's RuleMetrics), from one scenario result. One reader for the gate's thresholds (per trial)
/// and the engine's limit search (each step's SLO), which may not reference each other.
/// </summary>
public static class ResultMetrics
{
    /// <summary>The value, in the metric's own unit (ms, bytes per event, a fraction for rates); null when
    /// the result has no figure for it (no event delivered, no request made). Unknown names throw.</summary>
    public static double? Read(string name, ScenarioResult result)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(result);
        return name.Split('/') switch
        {
            ["latency", "mean"] => result.Latency.Event.Count > 0 ? result.Latency.Event.MeanMs : null,
            ["latency", var leaf] => Percentile(result.Latency.Event, leaf, name),
            ["request_latency", var leaf] => result.Latency.Request is { } r ? Percentile(r, leaf, name) : null,
            ["throughput", "events_per_second"] => result.Throughput.EventsPerSecond,
            ["bytes", "payload"] => PerEvent(result, result.Bytes.PerEvent.Payload),
            ["bytes", "framing"] => PerEvent(result, result.Bytes.PerEvent.Framing),
            ["bytes", "headers"] => PerEvent(result, result.Bytes.PerEvent.Headers),
            ["bytes", "total"] => PerEvent(result, result.Bytes.PerEvent.Total),
            ["integrity", "lost"] => result.Integrity.Lost,
            ["integrity", "duplicates"] => result.Integrity.Duplicates,
            ["integrity", "reorders"] => result.Integrity.Reorders,
            ["integrity", "reconnects"] => result.Integrity.Reconnects,
            ["integrity", "gone"] => result.Integrity.GoneSignals,
            ["errors", "count"] => result.Errors.Count,
            ["errors", "rate"] => ErrorRate(result.Errors.Count, result.Throughput.Requests),
            ["server", "cpu_ms_per_1000_events"] => result.Server.CpuMsPer1000Events,
            ["server", "kib_per_connection"] => result.Server.KibPerConnection,
            _ => throw new ArgumentException($"no reading for the metric '{name}': add it to {nameof(ResultMetrics)}", nameof(name)),
        };
    }

    /// <summary>Streaming transports may send no request in the measured phase (the connection opened in the
    /// warm-up): no errors then is a rate of 0, and any error an infinite one, so a limit still catches it.</summary>
    public static double ErrorRate(double errors, double requests) =>
        requests > 0 ? errors / requests : errors > 0 ? double.PositiveInfinity : 0;

    /// <summary>The divisor of bytes per event: the events the counted connections carried (warm-up included),
    /// or, in files written before results had it, the events delivered.</summary>
    public static double ByteEvents(ScenarioResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return result.Bytes.Events ?? result.Throughput.EventsDelivered;
    }

    private static double? PerEvent(ScenarioResult result, double perEvent) => ByteEvents(result) > 0 ? perEvent : null;

    private static double? Percentile(LatencySummary summary, string leaf, string name) => summary.Count == 0
        ? null
        : leaf switch
        {
            "p50" => summary.P50Ms,
            "p90" => summary.P90Ms,
            "p99" => summary.P99Ms,
            "p999" => summary.P999Ms,
            "max" => summary.MaxMs,
            _ => throw new ArgumentException($"no reading for the metric '{name}': add it to {nameof(ResultMetrics)}", nameof(name)),
        };
}
