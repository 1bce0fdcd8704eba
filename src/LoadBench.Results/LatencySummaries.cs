using HdrHistogram;

namespace LoadBench.Results;

/// <summary>Turns a histogram (microseconds) into the <see cref="LatencySummary"/> stored in results.</summary>
public static class LatencySummaries
{
    private const double MicrosPerMs = 1000.0;

    public static LatencySummary FromHistogram(HistogramBase histogram)
    {
        ArgumentNullException.ThrowIfNull(histogram);

        var encoded = HistogramCodec.Encode(histogram);
        if (histogram.TotalCount == 0)
        {
            // HdrHistogram's mean of nothing is NaN, which JSON cannot hold: an empty histogram reads as zeros
            // and count 0 says why.
            return new LatencySummary { Count = 0, P50Ms = 0, P90Ms = 0, P99Ms = 0, P999Ms = 0, MaxMs = 0, MeanMs = 0, Histogram = encoded };
        }

        return new LatencySummary
        {
            Count = histogram.TotalCount,
            P50Ms = Ms(histogram.GetValueAtPercentile(50)),
            P90Ms = Ms(histogram.GetValueAtPercentile(90)),
            P99Ms = Ms(histogram.GetValueAtPercentile(99)),
            P999Ms = Ms(histogram.GetValueAtPercentile(99.9)),
            MaxMs = Ms(histogram.GetMaxValue()),
            MeanMs = histogram.GetMean() / MicrosPerMs,
            Histogram = encoded,
        };
    }

    /// <summary>Percentile in ms of one histogram, 0 when it is empty.</summary>
    public static double PercentileMs(HistogramBase histogram, double percentile)
    {
        ArgumentNullException.ThrowIfNull(histogram);
        return histogram.TotalCount == 0 ? 0 : Ms(histogram.GetValueAtPercentile(percentile));
    }

    /// <summary>The summaries' histograms added and read again (never their percentiles averaged); null when every
    /// one is null (a transport without request latency). Trials pooled and runs merged both add this way.</summary>
    internal static LatencySummary? Sum(IEnumerable<LatencySummary?> summaries)
    {
        var present = summaries.OfType<LatencySummary>().ToList();
        if (present.Count == 0)
        {
            return null;
        }

        var sum = HistogramCodec.NewHistogram();
        foreach (var summary in present)
        {
            sum.Add(HistogramCodec.Decode(summary.Histogram));
        }

        return FromHistogram(sum);
    }

    private static double Ms(long micros) => micros / MicrosPerMs;
}
