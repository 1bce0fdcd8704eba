using System.IO.Compression;
using Microsoft.Extensions.Primitives;

namespace LoadBench.Target.Compression;

/// <summary>
/// The content codings the target compresses feed responses with (polling and long-polling arrays, the SSE
/// stream): <c>br</c> and <c>gzip</c>, at <see cref="CompressionLevel.Fastest"/> — ASP.NET Core's response
/// compression default, what a production server would run for a hot feed. A coding is used only when the target
/// was started with <c>--compression on</c> and the request asks for it (Accept-Encoding); otherwise the
/// uncompressed bytes, exactly as before — a browser asks for gzip and br on every request, and the demo page and
/// the target's own byte counters (which count event bytes as payload) assume uncompressed answers.
/// </summary>
internal static class ResponseCodings
{
    public const string Gzip = "gzip";
    public const string Brotli = "br";

    public const CompressionLevel Level = CompressionLevel.Fastest;

    /// <summary>The coding to answer with: br before gzip when both are acceptable (brotli compresses JSON
    /// better at the same speed), a coding listed with <c>q=0</c> refused, null when neither is asked for.</summary>
    public static string? Negotiate(TargetOptions options, StringValues acceptEncoding) =>
        options.Compression ? Negotiate(acceptEncoding) : null;

    public static string? Negotiate(StringValues acceptEncoding)
    {
        var (gzip, brotli) = (false, false);
        foreach (var field in acceptEncoding)
        {
            foreach (var range in (field ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                var parameters = range.Split(';', StringSplitOptions.TrimEntries);
                if (parameters.Skip(1).Any(IsQualityZero))
                {
                    continue;
                }

                gzip |= parameters[0].Equals(Gzip, StringComparison.OrdinalIgnoreCase);
                brotli |= parameters[0].Equals(Brotli, StringComparison.OrdinalIgnoreCase);
            }
        }

        return brotli ? Brotli : gzip ? Gzip : null;
    }

    /// <summary>A compressing stream over <paramref name="body"/> (left open). Its <c>FlushAsync</c> ends the
    /// deflate or brotli block so far (a sync flush) and flushes <paramref name="body"/>: what has been written is
    /// then decodable on the client without waiting for more.</summary>
    public static Stream Compressor(string coding, Stream body) => coding switch
    {
        Brotli => new BrotliStream(body, Level, leaveOpen: true),
        Gzip => new GZipStream(body, Level, leaveOpen: true),
        _ => throw new ArgumentOutOfRangeException(nameof(coding), coding, "Not a coding the target compresses with."),
    };

    /// <summary>Compresses one whole body.</summary>
    public static byte[] Compress(string coding, ReadOnlySpan<byte> body)
    {
        using var output = new MemoryStream(body.Length / 2 + 64);
        using (var compressor = Compressor(coding, output))
        {
            compressor.Write(body);
        }

        return output.ToArray();
    }

    private static bool IsQualityZero(string parameter)
    {
        var eq = parameter.IndexOf('=', StringComparison.Ordinal);
        return eq > 0 && parameter[..eq].Trim().Equals("q", StringComparison.OrdinalIgnoreCase)
            && double.TryParse(parameter[(eq + 1)..].Trim(), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var q)
            && q == 0;
    }
}
