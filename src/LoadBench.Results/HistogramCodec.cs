using HdrHistogram;
using HdrHistogram.Encoding;
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
    public static LongHistogram NewHistogram() => new StoredHistogram();

    /// <summary>HdrHistogram's cookie of a compressed V2 encoding of 64-bit counts (what every port checks first).</summary>
    internal const int CompressedV2Cookie = 0x1c849314;

    /// <summary>The process's one buffer for the uncompressed encoding (~190 KB), taken while an encoding runs; one that
    /// runs beside it allocates its own. Not one per thread: the engine's once-a-second encoding runs on whichever pool
    /// thread its timer resumes, and every one of them would keep a buffer.</summary>
    private static ByteBuffer? s_spareBuffer;

    /// <summary>
    /// The compressed V2 encoding, base64: cookie, length, then the zlib (RFC 1950) stream of the uncompressed V2
    /// encoding — header and counts run-length ZigZag LEB128 coded, a few hundred bytes for a latency histogram.
    /// </summary>
    /// <remarks>
    /// HdrHistogram.NET's own <c>EncodeIntoCompressedByteBuffer</c> deflates its whole encoding buffer, the ~190 KB
    /// a 1 µs .. 1 h histogram could need, zeros and all, into buffers allocated per call: the engine encodes each
    /// second's histogram for the time series, and that deflate was half its once-a-second work in
    /// <c>scenarios/bench/engine-profile.sh</c>. Deflating only the encoding's bytes gives the same histogram to every
    /// decoder (they read the payload length from the header), and a smaller string.
    /// </remarks>
    public static string Encode(HistogramBase histogram)
    {
        ArgumentNullException.ThrowIfNull(histogram);

        var needed = histogram.GetNeededByteBufferCapacity();
        var buffer = Interlocked.Exchange(ref s_spareBuffer, null) is { } spare && spare.Capacity() >= needed ? spare : ByteBuffer.Allocate(needed);
        buffer.Position = 0;
        // A histogram that adds up to nothing (empty, or made up with negative counts, which the library's encoder
        // leaves out when the total is 0) goes the library's way, as every histogram did before.
        var length = histogram is StoredHistogram { TotalCount: > 0 } stored
            ? stored.EncodeInto(buffer)
            : histogram.Encode(buffer, HistogramEncoderV2.Instance);
        var uncompressed = System.Buffers.ArrayPool<byte>.Shared.Rent(length);
        try
        {
            // ByteBuffer exposes no array copy (its ToArray copies all of its capacity): read the bytes back.
            buffer.Position = 0;
            for (var i = 0; i < length; i++)
            {
                uncompressed[i] = buffer.Get();
            }

            using var output = new MemoryStream(length + 64);
            Span<byte> header = stackalloc byte[8];
            System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(header, CompressedV2Cookie);
            output.Write(header); // the length is written once known
            using (var zlib = new System.IO.Compression.ZLibStream(output, System.IO.Compression.CompressionLevel.Optimal, leaveOpen: true))
            {
                zlib.Write(uncompressed, 0, length);
            }

            var bytes = output.GetBuffer().AsSpan(0, (int)output.Length);
            System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(bytes[4..], bytes.Length - header.Length);
            return Convert.ToBase64String(bytes);
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(uncompressed);
            Volatile.Write(ref s_spareBuffer, buffer);
        }
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
