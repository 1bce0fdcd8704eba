using HdrHistogram;

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
    [InlineData("latencies")]
    [InlineData("range ends")]
    [InlineData("not made by the codec")]
    public void Encode_IsHdrHistogramsCompressedV2_AZlibStreamOfTheLibrarysUncompressedEncoding(string histogramKind)
    {
        // What any HdrHistogram port reads: the library's own compressed cookie, the length of what follows, and a zlib
        // (RFC 1950) stream that inflates to exactly the library's uncompressed V2 encoding of the same histogram. The
        // codec's own histograms are encoded from counts it copies itself (StoredHistogram): the range's both ends show
        // that copy takes every count; a histogram made elsewhere goes through the library's encoder.
        var histogram = HistogramCodec.NewHistogram();
        switch (histogramKind)
        {
            case "latencies":
                histogram.Add(ResultsSamples.Histogram(ResultsSamples.Latencies(seed: 2, count: 3000)));
                break;
            case "range ends":
                histogram.RecordValue(HistogramCodec.LowestMicros);
                histogram.RecordValueWithCount(HistogramCodec.HighestMicros, 7);
                break;
            default:
                histogram = new LongHistogram(HistogramCodec.LowestMicros, HistogramCodec.HighestMicros, HistogramCodec.SignificantDigits);
                histogram.RecordValue(123_456);
                break;
        }

        var library = LibraryCompressed(histogram);

        var ours = Convert.FromBase64String(HistogramCodec.Encode(histogram));

        Assert.Equal(library.AsSpan(0, 4).ToArray(), ours.AsSpan(0, 4).ToArray());
        Assert.Equal(ours.Length - 8, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(ours.AsSpan(4)));
        using var zlib = new System.IO.Compression.ZLibStream(new MemoryStream(ours, 8, ours.Length - 8), System.IO.Compression.CompressionMode.Decompress);
        using var inflated = new MemoryStream();
        zlib.CopyTo(inflated);
        // The header as the library writes it (cookie; then, after the payload's length, index offset, digits, range and
        // ratio); the counts as the library decodes them. (The payload itself can end differently: the library encodes
        // its counts up to the end of the max value's bucket, the codec's own histograms all of them, the rest one
        // run of zeros.)
        var bytes = inflated.ToArray();
        var expected = LibraryUncompressed(histogram);
        Assert.Equal(expected[..4], bytes[..4]);
        Assert.Equal(expected[8..40], bytes[8..40]);
        var decoded = HistogramEncoding.DecodeFromByteBuffer(HdrHistogram.Utilities.ByteBuffer.Allocate(bytes), HistogramCodec.HighestMicros);
        Assert.Equal(histogram.TotalCount, decoded.TotalCount);
        Assert.Equal(ResultsSamples.Buckets(histogram), ResultsSamples.Buckets(decoded));
    }

    [Fact]
    public void Encode_OnManyThreadsAtOnce_GivesEachHistogramItsOwnCounts()
    {
        // The codec keeps one encoding buffer and one counts copy for the process: encodings that run at once must
        // each get their own, never a buffer another one is filling.
        var histograms = Enumerable.Range(0, 64)
            .Select(i => ResultsSamples.Histogram(ResultsSamples.Latencies(seed: 100 + i, count: 500 + (37 * i))))
            .ToArray();
        var encoded = new string[histograms.Length];

        Parallel.For(0, histograms.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i => encoded[i] = HistogramCodec.Encode(histograms[i]));

        for (var i = 0; i < histograms.Length; i++)
        {
            var decoded = HistogramCodec.Decode(encoded[i]);
            Assert.Equal(histograms[i].TotalCount, decoded.TotalCount);
            Assert.Equal(ResultsSamples.Buckets(histograms[i]), ResultsSamples.Buckets(decoded));
        }
    }

    [Fact]
    public void Decode_TheLibrarysOwnCompressedEncoding_GivesTheSameBuckets()
    {
        // Results written before the codec deflated only the encoding's bytes (the library deflates its whole buffer).
        var original = ResultsSamples.Histogram(ResultsSamples.Latencies(seed: 3, count: 5000));

        var decoded = HistogramCodec.Decode(Convert.ToBase64String(LibraryCompressed(original)));

        Assert.Equal(original.TotalCount, decoded.TotalCount);
        Assert.Equal(ResultsSamples.Buckets(original), ResultsSamples.Buckets(decoded));
    }

    private static byte[] LibraryCompressed(HdrHistogram.HistogramBase histogram)
    {
        var buffer = HdrHistogram.Utilities.ByteBuffer.Allocate(histogram.GetNeededByteBufferCapacity() + 1024);
        var length = (int)histogram.EncodeIntoCompressedByteBuffer(buffer);
        return ReadBack(buffer, length);
    }

    private static byte[] LibraryUncompressed(HdrHistogram.HistogramBase histogram)
    {
        var buffer = HdrHistogram.Utilities.ByteBuffer.Allocate(histogram.GetNeededByteBufferCapacity());
        var length = histogram.Encode(buffer, HdrHistogram.Encoding.HistogramEncoderV2.Instance);
        return ReadBack(buffer, length);
    }

    private static byte[] ReadBack(HdrHistogram.Utilities.ByteBuffer buffer, int length)
    {
        buffer.Position = 0;
        var bytes = new byte[length];
        for (var i = 0; i < length; i++)
        {
            bytes[i] = buffer.Get();
        }

        return bytes;
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
