using LoadBench.Results;

namespace LoadBench.Gate.Metrics;

/// <summary>Every metric a threshold may name. Names are part of the scenario-file format: never rename one.</summary>
public static class MetricCatalog
{
    // Declared before All: static initializers run in text order and Build() reads this.
    private static readonly (string Leaf, double Percentile)[] Percentiles =
        [("p50", 50), ("p90", 90), ("p99", 99), ("p999", 99.9), ("max", 100)];

    public static IReadOnlyList<GateMetric> All { get; } = Build();

    public static GateMetric? Find(string name) => All.FirstOrDefault(m => m.Name == name);

    /// <summary>Names a person might have meant by <paramref name="name"/>: <c>p99</c> → <c>latency/p99</c>.</summary>
    public static IReadOnlyList<string> Suggest(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var lower = name.ToLowerInvariant().Replace('.', '/').Replace(' ', '_');
        var exact = All.Where(m => m.Name == lower).Select(m => m.Name).ToList();
        if (exact.Count > 0)
        {
            return exact;
        }

        var leaf = lower.Split('/')[^1];
        return All.Where(m => m.Name.EndsWith("/" + leaf, StringComparison.Ordinal) || m.Name.StartsWith(lower + "/", StringComparison.Ordinal))
            .Select(m => m.Name).ToList();
    }

    private static List<GateMetric> Build()
    {
        var metrics = new List<GateMetric>();
        foreach (var (leaf, percentile) in Percentiles)
        {
            metrics.Add(new GateMetric($"latency/{leaf}", MetricUnit.Milliseconds, Worse.Higher,
                $"publish → receive latency, {leaf} (all trials: histograms added)",
                s => Pick(s.Latency.Event, percentile),
                trials => PooledLatency(trials.Select(t => t.Latency.Event), percentile)));
        }

        metrics.Add(new GateMetric("latency/mean", MetricUnit.Milliseconds, Worse.Higher, "publish → receive latency, mean",
            s => s.Latency.Event.Count > 0 ? s.Latency.Event.MeanMs : null,
            trials => PooledLatency(trials.Select(t => t.Latency.Event), -1)));

        foreach (var (leaf, percentile) in Percentiles)
        {
            metrics.Add(new GateMetric($"request_latency/{leaf}", MetricUnit.Milliseconds, Worse.Higher,
                $"request → response latency of polling and long polling, {leaf}",
                s => s.Latency.Request is { } r ? Pick(r, percentile) : null,
                trials => PooledLatency(trials.Select(t => t.Latency.Request), percentile)));
        }

        metrics.Add(new GateMetric("throughput/events_per_second", MetricUnit.PerSecond, Worse.Lower, "events delivered per second (all clients)",
            s => s.Throughput.EventsPerSecond,
            // In-window events, as each trial's own figure: late events caught up in the drain must not
            // inflate the pooled rate of a saturated transport.
            trials => Ratio(trials.Sum(t => (double)(t.Throughput.EventsDeliveredInWindow ?? t.Throughput.EventsDelivered)), trials.Sum(t => t.DurationSeconds))));

        metrics.Add(BytesMetric("payload", "the event JSON", b => b.Payload, pe => pe.Payload));
        metrics.Add(BytesMetric("framing", "SSE fields, WebSocket frame headers, JSON array punctuation, chunk lines", b => b.Framing, pe => pe.Framing));
        metrics.Add(BytesMetric("headers", "HTTP request and response headers, upgrade handshake included", b => b.Headers, pe => pe.Headers));
        metrics.Add(BytesMetric("total", "all bytes on the wire", b => b.Total, pe => pe.Total));

        metrics.Add(CountMetric("integrity/lost", "events never received (gaps)", s => s.Integrity.Lost));
        metrics.Add(CountMetric("integrity/duplicates", "events received twice", s => s.Integrity.Duplicates));
        metrics.Add(CountMetric("integrity/reorders", "events received out of order", s => s.Integrity.Reorders));
        metrics.Add(CountMetric("integrity/reconnects", "client reconnects", s => s.Integrity.Reconnects));
        metrics.Add(CountMetric("integrity/gone", "cursor older than retention (410, SSE gone, WS 4410)", s => s.Integrity.GoneSignals));
        metrics.Add(CountMetric("errors/count", "failed requests and connections", s => s.Errors.Count));
        metrics.Add(new GateMetric("errors/rate", MetricUnit.Fraction, Worse.Higher, "errors per request",
            s => ErrorRate(s.Errors.Count, s.Throughput.Requests),
            trials => ErrorRate(trials.Sum(t => (double)t.Errors.Count), trials.Sum(t => (double)t.Throughput.Requests))));

        metrics.Add(new GateMetric("server/cpu_ms_per_1000_events", MetricUnit.CpuMsPer1000Events, Worse.Higher,
            "target CPU time per 1,000 delivered events",
            s => s.Server.CpuMsPer1000Events,
            trials => trials.Any(t => t.Server.CpuMsPer1000Events is not null)
                ? Ratio(trials.Sum(t => t.Server.CpuMs) * 1000, trials.Sum(t => (double)t.Throughput.EventsDelivered))
                : null));
        metrics.Add(new GateMetric("server/kib_per_connection", MetricUnit.KiB, Worse.Higher,
            "target working-set growth per open connection",
            s => s.Server.KibPerConnection,
            trials => trials.Any(t => t.Server.KibPerConnection is not null)
                ? Ratio(trials.Sum(t => Math.Max(0.0, t.Server.WorkingSetBytesPeak - t.Server.WorkingSetBytesBefore)) / 1024.0, trials.Sum(t => (double)t.Clients))
                : null));
        return metrics;
    }

    private static double? Pick(LatencySummary summary, double percentile) => summary.Count == 0
        ? null
        : percentile switch
        {
            50 => summary.P50Ms,
            90 => summary.P90Ms,
            99 => summary.P99Ms,
            99.9 => summary.P999Ms,
            _ => summary.MaxMs,
        };

    /// <summary>Adds the trials' histograms and reads the percentile (or, for −1, the mean) from the sum:
    /// percentiles are never averaged.</summary>
    private static double? PooledLatency(IEnumerable<LatencySummary?> summaries, double percentile)
    {
        var sum = HistogramCodec.NewHistogram();
        var any = false;
        foreach (var summary in summaries)
        {
            if (summary is null || summary.Count == 0)
            {
                continue;
            }

            sum.Add(HistogramCodec.Decode(summary.Histogram));
            any = true;
        }

        if (!any)
        {
            return null;
        }

        var pooled = LatencySummaries.FromHistogram(sum);
        return percentile < 0 ? pooled.MeanMs : Pick(pooled, percentile);
    }

    private static GateMetric BytesMetric(string part, string what, Func<BytesResult, long> total, Func<BytesPerEvent, double> perEvent) =>
        new($"bytes/{part}", MetricUnit.BytesPerEvent, Worse.Higher, $"bytes per delivered event: {what}",
            s => ByteEvents(s) > 0 ? perEvent(s.Bytes.PerEvent) : null,
            trials => Ratio(trials.Sum(t => (double)total(t.Bytes)), trials.Sum(ByteEvents)));

    /// <summary>The divisor of bytes per event: the events the counted connections carried (warm-up included),
    /// or, in files written before results had it, the events delivered.</summary>
    private static double ByteEvents(ScenarioResult s) => s.Bytes.Events ?? s.Throughput.EventsDelivered;

    private static GateMetric CountMetric(string name, string what, Func<ScenarioResult, long> count) =>
        new(name, MetricUnit.Count, Worse.Higher, $"{what} (all trials: summed)", s => count(s), trials => trials.Sum(count));

    private static double? Ratio(double part, double whole) => whole > 0 ? part / whole : null;

    /// <summary>Streaming transports may send no request in the measured phase (the connection opened in the
    /// warm-up): no errors then is a rate of 0, and any error an infinite one, so a limit still catches it.</summary>
    private static double ErrorRate(double errors, double requests) =>
        requests > 0 ? errors / requests : errors > 0 ? double.PositiveInfinity : 0;
}
