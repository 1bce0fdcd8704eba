namespace LoadBench.Target.Feed;

/// <summary>The publisher's settings at one moment; replaced as a whole so readers never see half an update.</summary>
internal sealed record FeedSettingsState(double RatePerSecond, int PayloadBytes, string Payload, TimeSpan DeliveryDelay)
{
    public static FeedSettingsState Create(double ratePerSecond, int payloadBytes, TimeSpan deliveryDelay) =>
        new(ratePerSecond, payloadBytes, PayloadText.OfSize(payloadBytes), deliveryDelay);
}
