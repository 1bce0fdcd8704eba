using System.Text.Json.Serialization;

namespace LoadBench.Contracts;

/// <summary>
/// One event of the feed, exactly as it crosses the wire: <c>{"seq":1,"ts":1764075600000000,"data":"…"}</c>.
/// </summary>
/// <param name="Seq">Position in the feed: starts at 1 and grows by 1, so a gap or a repeat is visible.</param>
/// <param name="Ts">Publish time in Unix microseconds, read from the target's clock. Publish → receive latency
/// is the receiver's clock minus this, which is only meaningful on one host (LoadBench runs on loopback).</param>
/// <param name="Data">The payload, padded to the configured size.</param>
public sealed record FeedEvent(
    [property: JsonPropertyName("seq")] long Seq,
    [property: JsonPropertyName("ts")] long Ts,
    [property: JsonPropertyName("data")] string Data);
