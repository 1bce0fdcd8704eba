using HdrHistogram;
using LoadBench.Reporting.Noise;
using LoadBench.Reporting.Tests.TestSupport;
using LoadBench.Results;

namespace LoadBench.Reporting.Tests.Noise;

public sealed class SecondsBootstrapTests
{
    /// <summary>Seven seconds of a run: most calm, one with a stall (a slow tail), latencies in ms.</summary>
    private static readonly double[][] Seconds =
    [
        NoisyResults.Spread(1, 3, 200, seed: 1),
        NoisyResults.Spread(1, 4, 180, seed: 2),
        NoisyResults.Spread(1.5, 3, 220, seed: 3),
        [.. NoisyResults.Spread(1, 3, 150, seed: 4), .. NoisyResults.Spread(40, 60, 30, seed: 5)],
        NoisyResults.Spread(1, 2.5, 210, seed: 6),
        NoisyResults.Spread(0.8, 3.5, 190, seed: 7),
        [],
    ];

    private static List<HistogramBase> Histograms() => [.. Seconds.Select(s => (HistogramBase)NoisyResults.Histogram(s))];

    [Theory]
    [InlineData(50)]
    [InlineData(90)]
    [InlineData(99)]
    [InlineData(99.9)]
    public void Interval_EqualsBruteForceResamplingWithHdrHistogramAdds(double percentile)
    {
        // Independent truth: the documented procedure done the slow way — for each of the 2,000 resamples draw 7
        // seconds with new Random(15).Next(7), add their HdrHistograms, read the percentile with HdrHistogram; keep
        // resamples that hold an event, sort, take the values at ranks k and n − 1 − k, k = ⌊n × 0.025⌋.
        var histograms = Histograms();
        var random = new Random(SecondsBootstrap.Seed);
        var values = new List<double>();
        for (var b = 0; b < SecondsBootstrap.Replicates; b++)
        {
            var sum = HistogramCodec.NewHistogram();
            for (var i = 0; i < histograms.Count; i++)
            {
                sum.Add(histograms[random.Next(histograms.Count)]);
            }

            if (sum.TotalCount > 0)
            {
                values.Add(sum.GetValueAtPercentile(percentile) / 1000.0);
            }
        }

        values.Sort();
        var k = (int)Math.Floor(values.Count * 0.025);

        var interval = new SecondsBootstrap(histograms).Interval(percentile);

        Assert.Equal((values[k], values[values.Count - 1 - k]), interval);
    }

    [Fact]
    public void PercentileMs_OfEveryWayToDrawThreeSeconds_EqualsHdrHistogramOfTheirSum()
    {
        var histograms = Histograms().Take(4).ToList();
        var bootstrap = new SecondsBootstrap(histograms);
        foreach (var weights in Weights(histograms.Count, draws: 3))
        {
            var sum = HistogramCodec.NewHistogram();
            for (var s = 0; s < histograms.Count; s++)
            {
                for (var w = 0; w < weights[s]; w++)
                {
                    sum.Add(histograms[s]);
                }
            }

            foreach (var percentile in new[] { 0.1, 25, 50, 75, 90, 99, 99.9, 100 })
            {
                Assert.Equal(sum.GetValueAtPercentile(percentile) / 1000.0, bootstrap.PercentileMs(weights, percentile));
            }
        }
    }

    [Fact]
    public void Interval_EverySecondAlike_CollapsesOnTheRunsOwnPercentile()
    {
        var second = NoisyResults.Spread(1, 9, 500, seed: 9);
        var scenario = NoisyResults.WithSeconds("ws", second, second, second, second);

        var spread = ScenarioSpread.OfLatency(scenario, 99)!;

        // Every resample is four copies of one histogram: its p99 is the run's p99, exactly.
        Assert.Equal(SpreadBasis.Seconds, spread.Basis);
        Assert.Equal(4, spread.Count);
        Assert.Equal(scenario.Latency.Event.P99Ms, spread.Low);
        Assert.Equal(scenario.Latency.Event.P99Ms, spread.High);
        Assert.Equal(scenario.Latency.Event.P99Ms, spread.Value);
    }

    [Fact]
    public void Interval_OneStalledSecond_WidensTheP99IntervalToTheStall()
    {
        var scenario = NoisyResults.WithSeconds("ws", Seconds);

        var p99 = ScenarioSpread.OfLatency(scenario, 99)!;
        var p50 = ScenarioSpread.OfLatency(scenario, 50)!;

        Assert.Equal(7, p99.Count);
        // Resamples without the stalled second have p99 under 4 ms; with it twice or more, inside the 40–60 ms stall.
        Assert.InRange(p99.Low, 2, 4);
        Assert.InRange(p99.High, 40, 60);
        Assert.InRange(p50.High - p50.Low, 0, 0.5);
    }

    [Fact]
    public void From_FewerThanTwoSecondsWithHistograms_GivesNoInterval()
    {
        var one = NoisyResults.WithSeconds("ws", Seconds[0]);
        var old = SampleResults.Scenario("ws", 100); // no per-second histograms (older files)

        Assert.Null(ScenarioSpread.OfLatency(one, 99));
        Assert.Null(ScenarioSpread.OfLatency(old, 99));
    }

    /// <summary>Every way to draw <paramref name="draws"/> of <paramref name="n"/> seconds with replacement, as counts per second.</summary>
    private static IEnumerable<int[]> Weights(int n, int draws)
    {
        if (n == 1)
        {
            yield return [draws];
            yield break;
        }

        for (var first = 0; first <= draws; first++)
        {
            foreach (var rest in Weights(n - 1, draws - first))
            {
                yield return [first, .. rest];
            }
        }
    }
}
