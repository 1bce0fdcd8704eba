using LoadBench.Engine.Metrics;

namespace LoadBench.Engine.Transports.Connections;

/// <summary>
/// One read of the answer to a keep-alive request, as both polling connections take it (the awaited
/// <see cref="KeepAliveConnection"/> and the event loop's): scanned, counted on the wire meter, and refused when
/// bytes follow the answer's end.
/// </summary>
internal static class AnswerReads
{
    /// <summary>Scans <paramref name="read"/> and counts it; returns how many of its bytes were head bytes.</summary>
    /// <exception cref="HttpIOException">Bytes came after the end of the answer.</exception>
    public static int Take(HttpMessageScanner responses, WireMeter meter, ReadOnlySpan<byte> read)
    {
        var encodedBefore = responses.EncodedBodyBytes;
        var head = responses.ScanMessage(read, out var consumed);
        meter.OnRead(read.Length, head, responses.EncodedBodyBytes - encodedBefore);
        if (consumed != read.Length)
        {
            // Nothing may follow the answer to the one request in flight (no pipelining, no pushes).
            throw new HttpIOException(HttpRequestError.InvalidResponse, "The target sent bytes after the end of the response.");
        }

        return head;
    }
}
