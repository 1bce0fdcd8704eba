using LoadBench.Contracts;

namespace LoadBench.Engine.Tests.Transports.Sse;

public sealed class SseClientTests : FeedClientContract
{
    protected override string Transport => TransportIds.Sse;
}
