using System.Text.Json.Serialization;

namespace LoadBench.Contracts;

/// <summary>The answer of <c>GET /feed/info</c>: what the feed holds now and how it is being published.</summary>
/// <param name="OldestSeq">Oldest retained seq (0 when nothing was published yet).</param>
/// <param name="LatestSeq">Latest published seq (0 when nothing was published yet).</param>
/// <param name="RatePerSecond">Publisher rate in events per second; 0 means paused.</param>
/// <param name="PayloadBytes">Size of each event's <c>data</c> string in bytes.</param>
/// <param name="DeliveryDelayMs">Artificial delay added before every delivery (0 normally; for demonstrations and gate tests).</param>
/// <param name="Epoch">The feed's epoch: an id that changes whenever the feed restarts (see <see cref="FeedReset"/>); null from a target that predates it.</param>
public sealed record FeedInfo(
    [property: JsonPropertyName("oldestSeq")] long OldestSeq,
    [property: JsonPropertyName("latestSeq")] long LatestSeq,
    [property: JsonPropertyName("ratePerSecond")] double RatePerSecond,
    [property: JsonPropertyName("payloadBytes")] int PayloadBytes,
    [property: JsonPropertyName("deliveryDelayMs")] int DeliveryDelayMs = 0,
    [property: JsonPropertyName("epoch")] string? Epoch = null);
