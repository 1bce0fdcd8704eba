namespace LoadBench.Results.Tests;

public sealed class HistogramCodecTests
{
    [Fact]
    public void Decode_OfEncode_GivesTheSameBuckets()
    {
        var original = ResultsSamples.Histogram(ResultsSamples.Latencies(seed: 1, count: 5000));

        var decoded = HistogramCodec.Decode(HistogramCodec.Encode(original));

        Assert.Equal(original.TotalCount, decoded.TotalCount);
        Assert.Equal(ResultsSamples.Buckets(original), ResultsSamples.Buckets(decoded));
    }

    [Fact]
    public void Decode_OfEncode_LargeWideHistogram_GivesTheSameBuckets()
    {
        // Tens of thousands of distinct values from 1 µs to 1 h: a payload large enough that the deflate
        // stream hands it back in several reads (HdrHistogram.NET's own decoder fails on exactly this).
        var histogram = HistogramCodec.NewHistogram();
        var random = new Random(42);
        for (var i = 0; i < 200_000; i++)
        {
            histogram.RecordValue((long)Math.Pow(10, random.NextDouble() * 9.5) + 1);
        }

        var decoded = HistogramCodec.Decode(HistogramCodec.Encode(histogram));

        Assert.Equal(histogram.TotalCount, decoded.TotalCount);
        Assert.Equal(histogram.GetValueAtPercentile(100), decoded.GetValueAtPercentile(100));
        Assert.Equal(ResultsSamples.Buckets(histogram), ResultsSamples.Buckets(decoded));
    }

    [Fact]
    public void Encode_EmptyHistogram_RoundTripsToEmpty()
    {
        var decoded = HistogramCodec.Decode(HistogramCodec.Encode(HistogramCodec.NewHistogram()));

        Assert.Equal(0, decoded.TotalCount);
    }

    [Theory]
    [InlineData("not base64!")]
    [InlineData("AAAA")]
    public void Decode_Garbage_ThrowsResultsFormatException(string text)
    {
        Assert.Throws<ResultsFormatException>(() => HistogramCodec.Decode(text));
    }

    [Fact]
    public void FromHistogram_KnownValues_GivesTheirPercentilesInMilliseconds()
    {
        // 1..1000 ms, once each: p50 is 500 ms, p99 990 ms, max 1000 ms (within 3 significant digits).
        var histogram = ResultsSamples.Histogram(Enumerable.Range(1, 1000).Select(ms => ms * 1000L));

        var summary = LatencySummaries.FromHistogram(histogram);

        Assert.Equal(1000, summary.Count);
        Assert.Equal(500, summary.P50Ms, tolerance: 0.5);
        Assert.Equal(900, summary.P90Ms, tolerance: 0.9);
        Assert.Equal(990, summary.P99Ms, tolerance: 1.0);
        Assert.Equal(999, summary.P999Ms, tolerance: 1.0);
        Assert.Equal(1000, summary.MaxMs, tolerance: 1.0);
        Assert.Equal(500.5, summary.MeanMs, tolerance: 0.5);
    }

    [Fact]
    public void FromHistogram_Empty_IsAllZerosNotNaN()
    {
        var summary = LatencySummaries.FromHistogram(HistogramCodec.NewHistogram());

        Assert.Equal(0, summary.Count);
        Assert.Equal(0, summary.MeanMs);
        Assert.Equal(0, summary.P99Ms);
    }
}
