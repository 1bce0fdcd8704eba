using System.Text.Json.Serialization;

namespace LoadBench.Contracts;

/// <summary>The answer of <c>GET /feed/clock</c>: the publisher's clock now, on the same time line as every event's
/// <c>ts</c>. A load agent on another machine reads it a few times (NTP-style) to learn its own clock's offset.</summary>
/// <param name="UnixMicros">Microseconds since the Unix epoch, read when the request was handled.</param>
public sealed record FeedClock([property: JsonPropertyName("unixMicros")] long UnixMicros);
