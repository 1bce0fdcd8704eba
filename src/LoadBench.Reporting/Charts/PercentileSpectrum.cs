using HdrHistogram;
using LoadBench.Results;

namespace LoadBench.Reporting.Charts;

/// <summary>One point of a latency percentile spectrum.</summary>
/// <param name="Percentile">0..100.</param>
/// <param name="X">log10(1 / (1 − p)): 0 at 0%, 1 at 90%, 2 at 99%, 3 at 99.9% — the x axis HdrHistogram plots on.</param>
/// <param name="LatencyMs">The histogram's value at that percentile.</param>
internal readonly record struct SpectrumPoint(double Percentile, double X, double LatencyMs);

/// <summary>
/// The latency at every percentile, HdrHistogram style: x is log10(1/(1−p)), so each step to the right is
/// "one more nine" and the tail gets as much room as the median. Values come from the stored histogram, never
/// from the summary percentiles, so the curve is exact for merged results too.
/// </summary>
internal static class PercentileSpectrum
{
    /// <summary>Points per decade of 1/(1−p): smooth enough to show steps, small enough for SVG.</summary>
    public const int PointsPerNine = 20;

    private const int MinNines = 3;
    private const int MaxNines = 6;

    /// <summary>
    /// How many nines a histogram of <paramref name="count"/> values can say something about: a sample of 10⁴
    /// values reaches 99.99%. At least 3 (99.9%), so small samples still show their tail; beyond the data the
    /// curve stays flat at the maximum, as HdrHistogram's own plots do.
    /// </summary>
    public static int Nines(long count) =>
        count <= 1 ? MinNines : Math.Clamp((int)Math.Ceiling(Math.Log10(count)), MinNines, MaxNines);

    public static IReadOnlyList<SpectrumPoint> FromEncoded(string encodedHistogram, int nines) =>
        Compute(HistogramCodec.Decode(encodedHistogram), nines);

    /// <summary>Points from 0% to <paramref name="nines"/> nines (99.9% for 3); empty for an empty histogram.</summary>
    public static IReadOnlyList<SpectrumPoint> Compute(HistogramBase histogram, int nines)
    {
        ArgumentNullException.ThrowIfNull(histogram);
        ArgumentOutOfRangeException.ThrowIfLessThan(nines, 1);
        if (histogram.TotalCount == 0)
        {
            return [];
        }

        var steps = nines * PointsPerNine;
        var points = new List<SpectrumPoint>(steps + 1);
        for (var i = 0; i <= steps; i++)
        {
            var x = (double)i / PointsPerNine;
            var percentile = 100.0 * (1.0 - Math.Pow(10, -x));
            points.Add(new SpectrumPoint(percentile, x, ValueAtMs(histogram, percentile)));
        }

        return points;
    }

    /// <summary>x of a percentile: log10(1/(1−p)).</summary>
    public static double XOf(double percentile) => -Math.Log10(1.0 - percentile / 100.0);

    private static double ValueAtMs(HistogramBase histogram, double percentile)
    {
        // HdrHistogram reports the highest value equivalent to the bucket that holds the percentile; at the
        // very top that can exceed the largest value recorded, which would draw a tail no sample had.
        var micros = Math.Min(histogram.GetValueAtPercentile(percentile), histogram.GetMaxValue());
        return micros / 1000.0;
    }
}
