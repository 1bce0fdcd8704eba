using HdrHistogram;
using LoadBench.Results;

namespace LoadBench.Reporting.Noise;

/// <summary>
/// An honest interval for one run's latency percentiles, from the run's own per-second histograms: resample the
/// seconds with replacement (as many as there are), add their histograms, read the percentile — again and again —
/// and keep the middle 95% of what comes out (the percentile bootstrap). Whole seconds are resampled, not single
/// events, because events of one second share its stalls and GC pauses; resampling events would pretend they were
/// independent and give a far too narrow interval.
/// </summary>
/// <remarks>
/// The interval covers the noise between the seconds of this one run. It does not cover what changes between runs
/// (the machine's other work, where the JIT and the GC happen to land), which on a shared machine is larger: that
/// takes repeated trials. The random draws are seeded, so a report reads the same every time it is rendered.
/// A percentile is read as HdrHistogram reads it from the added histogram (tested against adding the histograms).
/// </remarks>
internal sealed class SecondsBootstrap
{
    public const int Replicates = 2000;
    public const int Seed = 15;
    /// <summary>2.5% of the resamples are cut off at each end: a 95% interval.</summary>
    public const int TailPerMille = 25;

    /// <summary>Fewest seconds to resample: with one there is nothing to vary.</summary>
    public const int MinSeconds = 2;

    /// <summary>Below this many seconds a bootstrap knows little about its own tails (with 4 seconds there are only
    /// 35 different resamples): the report calls such intervals rough.</summary>
    public const int FewSeconds = 10;

    private const double MicrosPerMs = 1000.0;

    // The distinct bucket values (µs, each bucket's highest equivalent value) of all seconds, ascending, and each
    // second's counts on that grid as (grid index, count) pairs: adding seconds is adding a few counts.
    private readonly long[] _grid;
    private readonly (int Index, long Count)[][] _seconds;

    internal SecondsBootstrap(IReadOnlyList<HistogramBase> seconds)
    {
        var buckets = seconds.Select(h => h.RecordedValues().Select(v => (Value: h.HighestEquivalentValue(v.ValueIteratedTo), Count: v.CountAtValueIteratedTo)).ToList()).ToList();
        _grid = [.. buckets.SelectMany(b => b).Select(b => b.Value).Distinct().Order()];
        _seconds = [.. buckets.Select(b => b.Select(x => (Array.BinarySearch(_grid, x.Value), x.Count)).ToArray())];
    }

    /// <summary>How many one-second histograms the interval rests on.</summary>
    public int Seconds => _seconds.Length;

    /// <summary>The bootstrap of a run's time series, or null when fewer than <see cref="MinSeconds"/> seconds
    /// carry a histogram (older files) or none holds an event.</summary>
    public static SecondsBootstrap? From(IReadOnlyList<TimeSeriesPoint> series)
    {
        ArgumentNullException.ThrowIfNull(series);
        var histograms = series.Where(p => p.Histogram is not null).Select(p => HistogramCodec.Decode(p.Histogram!)).ToList();
        return histograms.Count >= MinSeconds && histograms.Any(h => h.TotalCount > 0) ? new SecondsBootstrap(histograms) : null;
    }

    /// <summary>
    /// The 95% interval (ms) of <paramref name="percentile"/>: <see cref="Replicates"/> resamples, each
    /// <see cref="Seconds"/> draws of <c>new Random(Seed).Next(Seconds)</c>; of the n resamples that held an event,
    /// sorted, the values at 0-based ranks k and n − 1 − k with k = ⌊n × 2.5%⌋ (50 and 1,949 of 2,000). Null when
    /// most resamples held no event.
    /// </summary>
    public (double Low, double High)? Interval(double percentile)
    {
        var random = new Random(Seed);
        var weights = new int[Seconds];
        var counts = new long[_grid.Length];
        var values = new List<double>(Replicates);
        for (var b = 0; b < Replicates; b++)
        {
            Array.Clear(weights);
            for (var i = 0; i < Seconds; i++)
            {
                weights[random.Next(Seconds)]++;
            }

            if (PercentileMs(weights, percentile, counts) is { } value)
            {
                values.Add(value);
            }
        }

        if (values.Count < Replicates / 2)
        {
            return null;
        }

        values.Sort();
        var cut = values.Count * TailPerMille / 1000;
        return (values[cut], values[values.Count - 1 - cut]);
    }

    /// <summary>The percentile (ms) of the seconds added, second i <paramref name="weights"/>[i] times; null when they hold no event.</summary>
    internal double? PercentileMs(int[] weights, double percentile) => PercentileMs(weights, percentile, new long[_grid.Length]);

    private double? PercentileMs(int[] weights, double percentile, long[] counts)
    {
        Array.Clear(counts);
        long total = 0;
        for (var s = 0; s < _seconds.Length; s++)
        {
            if (weights[s] == 0)
            {
                continue;
            }

            foreach (var (index, count) in _seconds[s])
            {
                counts[index] += count * weights[s];
                total += count * weights[s];
            }
        }

        if (total == 0)
        {
            return null;
        }

        // HdrHistogram's rule: the first bucket at which the running count reaches the rounded share of the total.
        var atPercentile = Math.Max(1, (long)((Math.Min(percentile, 100.0) / 100.0 * total) + 0.5));
        long running = 0;
        for (var i = 0; i < counts.Length; i++)
        {
            running += counts[i];
            if (running >= atPercentile)
            {
                return _grid[i] / MicrosPerMs;
            }
        }

        return _grid[^1] / MicrosPerMs;
    }
}
