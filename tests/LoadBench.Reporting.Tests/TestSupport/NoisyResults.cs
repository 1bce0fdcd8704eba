using LoadBench.Results;

namespace LoadBench.Reporting.Tests.TestSupport;

/// <summary>
/// Hand-built results with a known spread: scenarios with repeated trials whose p99s the test chooses, and single
/// runs whose seconds carry histograms of known samples.
/// </summary>
internal static class NoisyResults
{
    public const int Clients = 100;

    /// <summary>A document of the given scenarios at one setup (100 clients, 10 events/s, 256 B).</summary>
    public static ResultsDocument Document(params ScenarioResult[] scenarios) =>
        new() { Environment = SampleResults.Environment(), Scenarios = scenarios };

    /// <summary>
    /// One scenario run as trials, trial i with p99 = <paramref name="p99Ms"/>[i] (and p50 a quarter of it), pooled
    /// exactly as the engine pools them.
    /// </summary>
    public static ScenarioResult WithTrials(string transport, params double[] p99Ms)
    {
        var trials = p99Ms.Select(p99 => SampleResults.Scenario(transport, Clients) with
        {
            Latency = new LatencyResult { Event = SampleResults.Summary(SampleResults.TwoValueHistogram(p99 / 4, p99, 1000)) },
        }).ToList();
        return TrialPooler.Pool(trials);
    }

    /// <summary>
    /// One run whose seconds hold the given latencies (ms); the phase histogram is their sum, as the engine writes it.
    /// </summary>
    public static ScenarioResult WithSeconds(string transport, params double[][] secondsMs)
    {
        var seconds = secondsMs.Select(Histogram).ToList();
        var all = HistogramCodec.NewHistogram();
        seconds.ForEach(s => all.Add(s));
        return SampleResults.Scenario(transport, Clients) with
        {
            Latency = new LatencyResult { Event = LatencySummaries.FromHistogram(all) },
            TimeSeries = [.. seconds.Select((h, i) => new TimeSeriesPoint
            {
                T = i + 1,
                EventsPerSecond = h.TotalCount,
                P50Ms = LatencySummaries.PercentileMs(h, 50),
                P99Ms = LatencySummaries.PercentileMs(h, 99),
                Clients = Clients,
                Histogram = HistogramCodec.Encode(h),
            })],
        };
    }

    /// <summary>A histogram (µs) of the given milliseconds.</summary>
    public static HdrHistogram.LongHistogram Histogram(IEnumerable<double> ms)
    {
        var histogram = HistogramCodec.NewHistogram();
        foreach (var value in ms)
        {
            histogram.RecordValue((long)Math.Round(value * 1000));
        }

        return histogram;
    }

    /// <summary><paramref name="count"/> latencies spread evenly over [<paramref name="lowMs"/>, <paramref name="highMs"/>], shuffled by a seed.</summary>
    public static double[] Spread(double lowMs, double highMs, int count, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(i => lowMs + (highMs - lowMs) * i / (count - 1)).OrderBy(_ => random.Next())];
    }
}
