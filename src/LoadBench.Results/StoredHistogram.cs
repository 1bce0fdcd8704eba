using HdrHistogram;
using HdrHistogram.Encoding;

namespace LoadBench.Results;

/// <summary>
/// A histogram of the stored range (<see cref="HistogramCodec.NewHistogram"/>) whose counts <see cref="HistogramCodec.Encode"/>
/// copies into a buffer it keeps (one for the process). The library's own encoder first copies them into a new array
/// (~190 KB, a large-object allocation) per call: the engine encodes each second's histogram for the time series, and
/// that allocation, its zeroing and the collections it brought were a third of the engine's once-a-second work in
/// engine-profile.sh.
/// </summary>
internal sealed class StoredHistogram() : LongHistogram(HistogramCodec.LowestMicros, HistogramCodec.HighestMicros, HistogramCodec.SignificantDigits)
{
    /// <summary>The library's encoding capacity is 8 bytes per count plus a 32-byte header (HistogramBase.GetNeededByteBufferCapacity);
    /// the counts' length itself is internal to it. (Tests hold this to the library's encoding at the top of the range.)</summary>
    public static readonly int CountsLength = (new LongHistogram(HistogramCodec.LowestMicros, HistogramCodec.HighestMicros, HistogramCodec.SignificantDigits)
        .GetNeededByteBufferCapacity() - 32) / sizeof(long);

    /// <summary>The process's one counts copy (~184 KB), taken while an encoding runs (see <c>HistogramCodec</c>'s buffer).</summary>
    private static long[]? s_spareCounts;

    /// <summary>The V2 encoding (uncompressed) into <paramref name="buffer"/>; the number of bytes written. The same header
    /// and counts as <c>Encode(buffer, HistogramEncoderV2.Instance)</c> writes, except that the library encodes the counts up
    /// to the end of the max value's bucket and this all of them: the rest is one more run of zeros, read as nothing.</summary>
    public int EncodeInto(HdrHistogram.Utilities.ByteBuffer buffer)
    {
        // Exactly CountsLength: the encoder encodes every count the array holds (a pooled array could be longer).
        var counts = Interlocked.Exchange(ref s_spareCounts, null) ?? new long[CountsLength];
        try
        {
            CopyCountsInto(counts);
            return HistogramEncoderV2.Instance.Encode(new Recorded(this, counts), buffer);
        }
        finally
        {
            Volatile.Write(ref s_spareCounts, counts);
        }
    }

    private sealed class Recorded(StoredHistogram histogram, long[] counts) : IRecordedData
    {
        public int Cookie { get; } = HistogramEncoding.GetEncodingCookie(histogram);

        public int NormalizingIndexOffset => 0;

        public int NumberOfSignificantValueDigits => histogram.NumberOfSignificantValueDigits;

        public long LowestDiscernibleValue => histogram.LowestTrackableValue;

        public long HighestTrackableValue => histogram.HighestTrackableValue;

        public double IntegerToDoubleValueConversionRatio => 1.0;

        public long[] Counts => counts;
    }
}
