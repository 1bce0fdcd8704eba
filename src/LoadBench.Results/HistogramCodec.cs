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

    /// <summary>
    /// Undoes the compression by hand. HdrHistogram.NET's own <c>DecodeFromCompressedByteBuffer</c> reads the
    /// DeflateStream with a single Read call and fails ("does not contain the indicated payload amount")
    /// whenever the stream returns fewer bytes than asked — which .NET 6 and later do for larger histograms.
    /// Layout: cookie (4 bytes, big-endian), compressed length (4), an RFC 1950 header (2), raw deflate.
    /// </summary>
    private static byte[] Inflate(byte[] compressed)
    {
        const int CookieAndLength = 8;
        const int Rfc1950HeaderLength = 2;
        if (compressed.Length < CookieAndLength + Rfc1950HeaderLength)
        {
            throw new ResultsFormatException("histogram is too short to be an HdrHistogram compressed encoding");
        }

        var length = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(compressed.AsSpan(4));
        if (length < Rfc1950HeaderLength || length > compressed.Length - CookieAndLength)
        {
            throw new ResultsFormatException($"histogram says it holds {length} compressed bytes, but only {compressed.Length - CookieAndLength} follow");
        }

        using var input = new MemoryStream(compressed, CookieAndLength + Rfc1950HeaderLength, length - Rfc1950HeaderLength);
        using var inflater = new System.IO.Compression.DeflateStream(input, System.IO.Compression.CompressionMode.Decompress);
        using var output = new MemoryStream();
        inflater.CopyTo(output);
        return output.ToArray();
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
            return HistogramEncoding.DecodeFromByteBuffer(ByteBuffer.Allocate(Inflate(bytes)), HighestMicros);
        }
#pragma warning disable CA1031 // HdrHistogram throws a mix of Argument/NotSupported/IndexOutOfRange/IO exceptions for bad bytes.
        catch (Exception ex) when (ex is not OutOfMemoryException)
#pragma warning restore CA1031
        {
            throw new ResultsFormatException($"histogram is not an HdrHistogram compressed V2 encoding ({ex.Message})", ex);
        }
    }
}
