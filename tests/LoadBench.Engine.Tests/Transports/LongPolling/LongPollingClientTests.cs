using LoadBench.Contracts;

namespace LoadBench.Engine.Tests.Transports.LongPolling;

public sealed class LongPollingClientTests : FeedClientContract
{
    protected override string Transport => TransportIds.LongPolling;
}
