using LoadBench.Results;
using LoadBench.Syntax.Rules;
using Reading = (
    System.Func<LoadBench.Results.ScenarioResult, double?> PerTrial,
    System.Func<System.Collections.Generic.IReadOnlyList<LoadBench.Results.ScenarioResult>, double?> Pooled);

namespace LoadBench.Gate.Metrics;

/// <summary>
/// Every metric a threshold may name, with how to read it from results. The names, units and directions are
/// the file format's (<see cref="RuleMetrics"/>, shared with the engine); this adds the arithmetic.
/// </summary>
internal static class MetricCatalog
{
    // Declared before All: static initializers run in text order and Measure() reads this.
    private static readonly Dictionary<string, double> Percentiles = new(StringComparer.Ordinal)
    {
        ["p50"] = 50, ["p90"] = 90, ["p99"] = 99, ["p999"] = 99.9, ["max"] = 100,
    };

    public static IReadOnlyList<GateMetric> All { get; } = RuleMetrics.All.Select(Build).ToList();

    public static GateMetric? Find(string name) => All.FirstOrDefault(m => m.Name == name);

    /// <summary>Names a person might have meant by <paramref name="name"/>: <c>p99</c> → <c>latency/p99</c>.</summary>
    public static IReadOnlyList<string> Suggest(string name) => RuleMetrics.Suggest(name);

    private static GateMetric Build(RuleMetric metric)
    {
        var (perTrial, pooled) = Measure(metric);
        return new GateMetric(metric.Name, metric.Unit, metric.Worse, metric.Description, perTrial, pooled);
    }

    /// <summary>How one metric is read from a trial (<see cref="ResultMetrics"/>, the reader the engine's limit
    /// search shares), and from all trials taken as one run.</summary>
    private static Reading Measure(RuleMetric metric)
    {
        var name = metric.Name;
        return (s => ResultMetrics.Read(name, s), Pooled(metric));
    }

    private static Func<IReadOnlyList<ScenarioResult>, double?> Pooled(RuleMetric metric) =>
        metric.Name.Split('/') switch
        {
            ["latency", "mean"] => trials => PooledLatency(trials.Select(t => t.Latency.Event), -1),
            ["latency", var leaf] when Percentiles.TryGetValue(leaf, out var percentile) =>
                trials => PooledLatency(trials.Select(t => t.Latency.Event), percentile),
            ["request_latency", var leaf] when Percentiles.TryGetValue(leaf, out var percentile) =>
                trials => PooledLatency(trials.Select(t => t.Latency.Request), percentile),
            // In-window events, as each trial's own figure: late events caught up in the drain must not
            // inflate the pooled rate of a saturated transport.
            ["throughput", "events_per_second"] =>
                trials => Ratio(trials.Sum(t => (double)(t.Throughput.EventsDeliveredInWindow ?? t.Throughput.EventsDelivered)), trials.Sum(t => t.DurationSeconds)),
            ["bytes", "payload"] => Bytes(b => b.Payload),
            ["bytes", "framing"] => Bytes(b => b.Framing),
            ["bytes", "headers"] => Bytes(b => b.Headers),
            ["bytes", "total"] => Bytes(b => b.Total),
            ["integrity", "lost"] => Count(s => s.Integrity.Lost),
            ["integrity", "duplicates"] => Count(s => s.Integrity.Duplicates),
            ["integrity", "reorders"] => Count(s => s.Integrity.Reorders),
            ["integrity", "reconnects"] => Count(s => s.Integrity.Reconnects),
            ["integrity", "gone"] => Count(s => s.Integrity.GoneSignals),
            ["errors", "count"] => Count(s => s.Errors.Count),
            ["errors", "rate"] =>
                trials => ResultMetrics.ErrorRate(trials.Sum(t => (double)t.Errors.Count), trials.Sum(t => (double)t.Throughput.Requests)),
            ["server", "cpu_ms_per_1000_events"] =>
                trials => trials.Any(t => t.Server.CpuMsPer1000Events is not null)
                    ? Ratio(trials.Sum(t => t.Server.CpuMs) * 1000, trials.Sum(t => (double)t.Throughput.EventsDelivered))
                    : null,
            ["server", "kib_per_connection"] =>
                trials => trials.Any(t => t.Server.KibPerConnection is not null)
                    ? Ratio(trials.Sum(t => Math.Max(0.0, t.Server.WorkingSetBytesPeak - t.Server.WorkingSetBytesBefore)) / 1024.0, trials.Sum(t => (double)t.Clients))
                    : null,
            // A name added to the file format without its arithmetic here fails the first use of the catalog.
            _ => throw new InvalidOperationException($"the gate cannot measure '{metric.Name}': add it to {nameof(MetricCatalog)}"),
        };

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

    private static Func<IReadOnlyList<ScenarioResult>, double?> Bytes(Func<BytesResult, long> total) =>
        trials => Ratio(trials.Sum(t => (double)total(t.Bytes)), trials.Sum(ResultMetrics.ByteEvents));

    private static Func<IReadOnlyList<ScenarioResult>, double?> Count(Func<ScenarioResult, long> count) =>
        trials => trials.Sum(count);

    private static double? Ratio(double part, double whole) => whole > 0 ? part / whole : null;
}
