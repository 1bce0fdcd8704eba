using LoadBench.Contracts;

namespace LoadBench.Engine.Tests.Transports.WebSockets;

public sealed class WebSocketClientTests : FeedClientContract
{
    protected override string Transport => TransportIds.WebSocket;
}
