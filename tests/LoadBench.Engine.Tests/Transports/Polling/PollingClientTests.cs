using LoadBench.Contracts;

namespace LoadBench.Engine.Tests.Transports.Polling;

public sealed class PollingClientTests : FeedClientContract
{
    protected override string Transport => TransportIds.Polling;

    // Between two polls no request is open, and the keep-alive connection (like HttpClient) quietly sends again
    // a request that found its idle connection closed: a reconnect, not an error.
    protected override bool DropAlwaysInterruptsARequest => false;

    // Long enough that the client is surely between polls when the byte-count test stops it (see the base).
    protected override TimeSpan PollInterval => TimeSpan.FromSeconds(2);
}
