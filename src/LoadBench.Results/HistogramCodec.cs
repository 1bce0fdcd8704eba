using HdrHistogram;
using HdrHistogram.Utilities;

namespace LoadBench.Results;

/// <summary>
/// Latency histograms as they are stored in <c>results.json</c>: HdrHistogram's compressed V2 encoding
/// (the one every HdrHistogram port reads), base64. Keeping the histogram itself — not only percentiles —
/// is what lets results of several engine processes merge exactly.
/// </summary>
public static class HistogramCodec
{
    /// <summary>Values are microseconds, 1 µs .. 1 h, 3 significant digits (the engine's recorders use the same).</summary>
    public const long LowestMicros = 1;
    public const long HighestMicros = 3_600_000_000;
    public const int SignificantDigits = 3;

    /// <summary>A new, empty histogram with the range every stored histogram has.</summary>
    public static LongHistogram NewHistogram() => new(LowestMicros, HighestMicros, SignificantDigits);

    public static string Encode(HistogramBase histogram)
    {
        ArgumentNullException.ThrowIfNull(histogram);

        // The compressed form is never larger than the uncompressed one plus deflate's few bytes of
        // overhead and the 8-byte cookie/length header; the slack covers both.
        var buffer = ByteBuffer.Allocate(histogram.GetNeededByteBufferCapacity() + 1024);
        var length = histogram.EncodeIntoCompressedByteBuffer(buffer);

        // ByteBuffer exposes no public array copy: read it back byte by byte from the start.
        var bytes = new byte[length];
        buffer.Position = 0;
        for (var i = 0; i < length; i++)
        {
            bytes[i] = buffer.Get();
        }

        return Convert.ToBase64String(bytes);
    }

    /// <summary>Decodes what <see cref="Encode"/> wrote; anything else is a <see cref="ResultsFormatException"/>.</summary>
    public static HistogramBase Decode(string base64)
    {
        ArgumentNullException.ThrowIfNull(base64);

        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(base64);
        }
        catch (FormatException ex)
        {
            throw new ResultsFormatException("histogram is not valid base64", ex);
        }

        try
        {
            return HistogramEncoding.DecodeFromCompressedByteBuffer(ByteBuffer.Allocate(bytes), HighestMicros);
        }
#pragma warning disable CA1031 // HdrHistogram throws a mix of Argument/NotSupported/IndexOutOfRange/IO exceptions for bad bytes.
        catch (Exception ex) when (ex is not OutOfMemoryException)
#pragma warning restore CA1031
        {
            throw new ResultsFormatException($"histogram is not an HdrHistogram compressed V2 encoding ({ex.Message})", ex);
        }
    }
}
