namespace LoadBench.Syntax.Rules;

/// <summary>Every metric a rule may name. Names are part of the scenario-file format: never rename one.</summary>
public static class RuleMetrics
{
    // Declared before All: static initializers run in text order and Build() reads this.
    private static readonly string[] PercentileLeaves = ["p50", "p90", "p99", "p999", "max"];

    public static IReadOnlyList<RuleMetric> All { get; } = Build();

    public static RuleMetric? Find(string name) => All.FirstOrDefault(m => m.Name == name);

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

    private static List<RuleMetric> Build()
    {
        var metrics = new List<RuleMetric>();
        foreach (var leaf in PercentileLeaves)
        {
            metrics.Add(new RuleMetric($"latency/{leaf}", MetricUnit.Milliseconds, Worse.Higher,
                $"publish → receive latency, {leaf} (all trials: histograms added)"));
        }

        metrics.Add(new RuleMetric("latency/mean", MetricUnit.Milliseconds, Worse.Higher, "publish → receive latency, mean"));

        foreach (var leaf in PercentileLeaves)
        {
            metrics.Add(new RuleMetric($"request_latency/{leaf}", MetricUnit.Milliseconds, Worse.Higher,
                $"request → response latency of polling and long polling, {leaf}"));
        }

        metrics.Add(new RuleMetric("throughput/events_per_second", MetricUnit.PerSecond, Worse.Lower, "events delivered per second (all clients)"));

        metrics.Add(Bytes("payload", "the event JSON"));
        metrics.Add(Bytes("framing", "SSE fields, WebSocket frame headers, JSON array punctuation, chunk lines"));
        metrics.Add(Bytes("headers", "HTTP request and response headers, upgrade handshake included"));
        metrics.Add(Bytes("total", "all bytes on the wire"));

        metrics.Add(Count("integrity/lost", "events never received (gaps)"));
        metrics.Add(Count("integrity/duplicates", "events received twice"));
        metrics.Add(Count("integrity/reorders", "events received out of order"));
        metrics.Add(Count("integrity/reconnects", "client reconnects"));
        metrics.Add(Count("integrity/gone", "cursor older than retention (410, SSE gone, WS 4410)"));
        metrics.Add(Count("errors/count", "failed requests and connections"));
        metrics.Add(new RuleMetric("errors/rate", MetricUnit.Fraction, Worse.Higher, "errors per request"));

        metrics.Add(new RuleMetric("server/cpu_ms_per_1000_events", MetricUnit.CpuMsPer1000Events, Worse.Higher,
            "target CPU time per 1,000 delivered events"));
        metrics.Add(new RuleMetric("server/kib_per_connection", MetricUnit.KiB, Worse.Higher,
            "target working-set growth per open connection"));
        return metrics;
    }

    private static RuleMetric Bytes(string part, string what) =>
        new($"bytes/{part}", MetricUnit.BytesPerEvent, Worse.Higher, $"bytes per delivered event: {what}");

    private static RuleMetric Count(string name, string what) =>
        new(name, MetricUnit.Count, Worse.Higher, $"{what} (all trials: summed)");
}
