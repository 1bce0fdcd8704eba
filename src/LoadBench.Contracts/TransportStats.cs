using System.Text.Json.Serialization;

namespace LoadBench.Contracts;

/// <summary>
/// What the target counted for one transport since it started. Byte counts are read and written <b>on the
/// socket</b> (a Kestrel connection middleware counts them), so they include HTTP headers, chunked-encoding
/// lines, WebSocket frame headers and everything else that really crossed the wire.
/// </summary>
/// <param name="OpenConnections">Feed requests (or WebSocket sessions) in progress now.</param>
/// <param name="Requests">Requests answered (a WebSocket session or an SSE stream counts as one).</param>
/// <param name="EventsSent">Events written to clients.</param>
/// <param name="PayloadBytes">The payload part of <see cref="BytesWritten"/>: the event JSON written on an uncompressed
/// connection; on a compressed one the compressed body as written (a gzip or br body, WebSocket data-frame payloads
/// under permessage-deflate) — what the engine counts as payload on its side of the same connection.</param>
/// <param name="HeaderBytes">HTTP request and response header bytes (request line / status line included), found
/// by scanning each message's head up to its blank line.</param>
/// <param name="BytesRead">Bytes read from the socket.</param>
/// <param name="BytesWritten">Bytes written to the socket.</param>
public sealed record TransportStats(
    [property: JsonPropertyName("openConnections")] long OpenConnections,
    [property: JsonPropertyName("requests")] long Requests,
    [property: JsonPropertyName("eventsSent")] long EventsSent,
    [property: JsonPropertyName("payloadBytes")] long PayloadBytes,
    [property: JsonPropertyName("headerBytes")] long HeaderBytes,
    [property: JsonPropertyName("bytesRead")] long BytesRead,
    [property: JsonPropertyName("bytesWritten")] long BytesWritten)
{
    /// <summary>Everything on the socket that is neither payload nor headers: SSE field names and newlines,
    /// WebSocket frame headers, JSON array brackets and commas, chunked-encoding lines.</summary>
    [JsonPropertyName("framingBytes")]
    public long FramingBytes => BytesRead + BytesWritten - PayloadBytes - HeaderBytes;

    /// <summary>Bytes of event JSON written, compressed or not (equal to <see cref="PayloadBytes"/> when nothing was
    /// compressed): the uncompressed payload beside a compressed one.</summary>
    [JsonPropertyName("eventBytes")]
    public long EventBytes { get; init; }

    /// <summary>Body bytes fed to compressors (events and what frames them inside a body: SSE field names and
    /// heartbeats, array brackets and commas); 0 when nothing was compressed. Over <see cref="PayloadBytes"/> it is
    /// the compression ratio.</summary>
    [JsonPropertyName("decodedBodyBytes")]
    public long DecodedBodyBytes { get; init; }
}
