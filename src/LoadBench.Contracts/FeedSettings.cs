using System.Text.Json.Serialization;

namespace LoadBench.Contracts;

/// <summary>
/// The body of <c>PUT /feed/settings</c>. Omitted (null) fields keep their current value, so a client can
/// change the rate without knowing the payload size.
/// </summary>
public sealed record FeedSettings(
    [property: JsonPropertyName("ratePerSecond")] double? RatePerSecond = null,
    [property: JsonPropertyName("payloadBytes")] int? PayloadBytes = null,
    [property: JsonPropertyName("deliveryDelayMs")] int? DeliveryDelayMs = null)
{
    /// <summary>Highest accepted publisher rate; above this the publisher itself would be what is measured.</summary>
    public const double MaxRatePerSecond = 100_000;

    /// <summary>Largest accepted payload (1 MiB): bigger events say nothing new about the transports.</summary>
    public const int MaxPayloadBytes = 1 << 20;

    /// <summary>Largest accepted artificial delivery delay.</summary>
    public const int MaxDeliveryDelayMs = 10_000;
}
