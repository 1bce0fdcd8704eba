using System.Net;
using System.Net.WebSockets;
using System.Text;
using LoadBench.Contracts;
using LoadBench.Target.Tests.TestSupport;

namespace LoadBench.Target.Tests.WebSockets;

public sealed class WebSocketEndpointTests
{
    private static async Task<ClientWebSocket> ConnectAsync(RunningTarget target, string query)
    {
        var socket = new ClientWebSocket();
        await socket.ConnectAsync(target.WebSocketUri(query), CancellationToken.None);
        return socket;
    }

    /// <summary>Reads whole text messages until <paramref name="count"/> arrived or the server closed.</summary>
    private static async Task<List<string>> ReceiveAsync(ClientWebSocket socket, int count)
    {
        var messages = new List<string>();
        var buffer = new byte[64 * 1024];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (messages.Count < count)
        {
            using var message = new MemoryStream();
            ValueWebSocketReceiveResult result;
            do
            {
                result = await socket.ReceiveAsync(buffer.AsMemory(), timeout.Token);
                message.Write(buffer, 0, result.Count);
            }
            while (!result.EndOfMessage);

            if (result.MessageType == WebSocketMessageType.Close)
            {
                break;
            }

            Assert.Equal(WebSocketMessageType.Text, result.MessageType);
            messages.Add(Encoding.UTF8.GetString(message.ToArray()));
        }

        return messages;
    }

    [Fact]
    public async Task WebSocket_OneTextMessagePerEvent_InOrder_ByteIdentical()
    {
        await using var target = await RunningTarget.StartAsync();
        var published = target.Publish(3);
        using var socket = await ConnectAsync(target, "?after=1");
        published.AddRange(target.Publish(2));

        Assert.Equal(published.Skip(1), await ReceiveAsync(socket, 4));
    }

    [Fact]
    public async Task WebSocket_ResumeFromCursor_AfterDisconnect_LosesNothing()
    {
        await using var target = await RunningTarget.StartAsync();
        var all = target.Publish(2);
        var received = new List<string>();
        using (var first = await ConnectAsync(target, "?after=0"))
        {
            received.AddRange(await ReceiveAsync(first, 2));
            first.Abort();
        }

        all.AddRange(target.Publish(3));
        using var second = await ConnectAsync(target, "?after=2");
        received.AddRange(await ReceiveAsync(second, 3));

        Assert.Equal(all, received);
    }

    [Fact]
    public async Task WebSocket_AfterOldestRetained_ClosesWith4410_NamingOldestSeq()
    {
        await using var target = await RunningTarget.StartAsync("--retention", "4");
        target.Publish(10);
        using var socket = await ConnectAsync(target, "?after=1");

        Assert.Empty(await ReceiveAsync(socket, 1));
        Assert.Equal(FeedGone.WebSocketCloseStatus, (int)socket.CloseStatus!);
        Assert.Equal("gone oldestSeq=7", socket.CloseStatusDescription);
    }

    [Fact]
    public async Task WebSocket_ClientCloses_ServerAnswersTheCloseHandshake()
    {
        await using var target = await RunningTarget.StartAsync();
        using var socket = await ConnectAsync(target, "?after=0");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));

        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", timeout.Token);

        Assert.Equal(WebSocketState.Closed, socket.State);
    }

    [Fact]
    public async Task WebSocket_ClientMessage_ClosesWith1008_AfterTheEventsBeforeIt_AndTheCloseHandshakeCompletes()
    {
        // Issue 12 ("Hostile input"): the feed is receive-only. It used to read and ignore client messages; it
        // now closes with 1008 (1009 past 1 KiB, see the Hostile catalogue), after the events already sent.
        await using var target = await RunningTarget.StartAsync();
        using var socket = await ConnectAsync(target, "?after=0");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var published = target.Publish(2);
        Assert.Equal(published, await ReceiveAsync(socket, 2));

        // Longer than the server's receive buffer, in UTF-8 characters of several bytes each, under 1 KiB in all.
        await socket.SendAsync(Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("héllo wörld €", 40))), WebSocketMessageType.Text, endOfMessage: true, timeout.Token);

        Assert.Empty(await ReceiveAsync(socket, 1));
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, socket.CloseStatus);
        Assert.Contains("receive-only", socket.CloseStatusDescription, StringComparison.Ordinal);
        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token);
        Assert.Equal(WebSocketState.Closed, socket.State);
    }

    [Fact]
    public async Task WebSocket_TargetShutsDown_Closes1001()
    {
        var target = await RunningTarget.StartAsync();
        await using (target)
        {
            using var socket = await ConnectAsync(target, "?after=0");
            var receiving = ReceiveAsync(socket, 1);
            await target.StopAsync();

            Assert.Empty(await receiving);
            Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, socket.CloseStatus);
        }
    }

    [Fact]
    public async Task WebSocket_PlainHttpRequest_Returns400Problem()
    {
        await using var target = await RunningTarget.StartAsync();

        using var response = await target.Http.GetAsync(FeedRoutes.WebSocket);

        await Problems.AssertProblemAsync(response, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task WebSocket_BadAfter_Returns400BeforeUpgrade()
    {
        await using var target = await RunningTarget.StartAsync();
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;

        await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(target.WebSocketUri("?after=nope"), CancellationToken.None));
        Assert.Equal(HttpStatusCode.BadRequest, socket.HttpStatusCode);
    }
}
