using System.Net;
using System.Text;
using LoadBench.Contracts;
using LoadBench.Target.Heartbeats;
using LoadBench.Target.WebSockets;
using LoadBench.Target.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace LoadBench.Target.Tests.Heartbeats;

/// <summary>Heartbeats on the wire, byte for byte: SSE comment lines from the shared ticker (on a fake clock, so each
/// tick is one the test made), WebSocket pings from the runtime's keep-alive, and nothing at all without heartbeatMs.</summary>
public sealed class HeartbeatTests
{
    // One SSE heartbeat over HTTP/1.1: the chunk "3\r\n" + ":\n\n" + "\r\n" — 3 + 3 + 2 = 8 bytes, all framing.
    private static readonly byte[] SseHeartbeatChunk = Encoding.ASCII.GetBytes("3\r\n:\n\n\r\n");

    [Fact]
    public async Task Sse_Heartbeat_OneCommentChunkPerTick_EightBytesEach_AllFramingInTheTargetsCounters()
    {
        await using var target = await FakeClockTarget.StartAsync();
        using var connection = await RawHttpConnection.OpenAsync(target.BaseAddress);
        await connection.SendGetAsync($"{FeedRoutes.Sse}?{FeedRoutes.HeartbeatQuery}=1000");
        Assert.StartsWith("HTTP/1.1 200", await connection.ReadHeadAsync(), StringComparison.Ordinal);

        Assert.Equal(3 + 3 + 2, SseHeartbeatChunk.Length);
        const int Ticks = 3;
        for (var i = 0; i < Ticks; i++)
        {
            target.Time.Advance(TimeSpan.FromSeconds(1));
            Assert.Equal(SseHeartbeatChunk, await connection.ReadBodyAsync(SseHeartbeatChunk.Length));
        }

        // The target's own count: after the heads, exactly the heartbeats' bytes, none of them payload.
        var sse = target.Stats.Snapshot().Transports[TransportIds.Sse];
        Assert.Equal(0, sse.PayloadBytes);
        Assert.Equal(connection.BytesWritten + connection.ResponseHeadBytes, sse.HeaderBytes);
        Assert.Equal(Ticks * SseHeartbeatChunk.Length, sse.FramingBytes);
    }

    [Fact]
    public async Task Sse_WithoutHeartbeat_WritesNothingWhileIdle_TheNextBytesAreTheEvent()
    {
        await using var target = await FakeClockTarget.StartAsync();
        using var connection = await RawHttpConnection.OpenAsync(target.BaseAddress);
        await connection.SendGetAsync(FeedRoutes.Sse);
        await connection.ReadHeadAsync();

        target.Time.Advance(TimeSpan.FromMinutes(10));
        target.Log.Publish();
        var body = Encoding.ASCII.GetString(await connection.ReadUntilAsync("\n\n\r\n", 1));

        Assert.DoesNotContain(":\n\n", body.Replace("\n\n\r\n", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Contains("id: 1", body, StringComparison.Ordinal);
        Assert.Equal(0, target.Services.GetRequiredService<HeartbeatTickers>().Count);
    }

    [Fact]
    public async Task Sse_StreamsOfOneInterval_ShareOneTimer_GoneWhenTheyLeave()
    {
        await using var target = await FakeClockTarget.StartAsync();
        var tickers = target.Services.GetRequiredService<HeartbeatTickers>();
        var connections = new List<RawHttpConnection>();
        for (var i = 0; i < 3; i++)
        {
            var connection = await RawHttpConnection.OpenAsync(target.BaseAddress);
            await connection.SendGetAsync($"{FeedRoutes.Sse}?{FeedRoutes.HeartbeatQuery}=500");
            await connection.ReadHeadAsync();
            connections.Add(connection);
        }

        Assert.Equal(1, tickers.Count);
        target.Time.Advance(TimeSpan.FromMilliseconds(500));
        foreach (var connection in connections)
        {
            Assert.Equal(SseHeartbeatChunk, await connection.ReadBodyAsync(SseHeartbeatChunk.Length));
            connection.Dispose();
        }

        await Wait.UntilAsync(() => tickers.Count == 0, "the last stream to leave stops the shared timer");
    }

    [Theory]
    [InlineData("9")]
    [InlineData("600001")]
    [InlineData("fast")]
    public async Task Streams_HeartbeatOutOfRangeOrNotANumber_Answer400Problem(string heartbeat)
    {
        await using var target = await RunningTarget.StartAsync();
        foreach (var route in new[] { FeedRoutes.Sse, FeedRoutes.WebSocket })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"{route}?{FeedRoutes.HeartbeatQuery}={heartbeat}");
            if (route == FeedRoutes.WebSocket)
            {
                request.Headers.Add("Connection", "Upgrade");
                request.Headers.Add("Upgrade", "websocket");
                request.Headers.Add("Sec-WebSocket-Version", "13");
                request.Headers.Add("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==");
            }

            using var response = await target.Http.SendAsync(request);
            var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.BadRequest);
            Assert.Contains(FeedRoutes.HeartbeatQuery, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task WebSocket_Heartbeat_PingsOfTenBytes_ThePingIdAsPayload()
    {
        await using var target = await RunningTarget.StartAsync();
        using var connection = await RawHttpConnection.OpenAsync(target.BaseAddress);
        await connection.SendGetAsync($"{FeedRoutes.WebSocket}?{FeedRoutes.HeartbeatQuery}=50",
            "Connection: Upgrade", "Upgrade: websocket", "Sec-WebSocket-Version: 13", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==");
        Assert.StartsWith("HTTP/1.1 101", await connection.ReadHeadAsync(), StringComparison.Ordinal);

        // The runtime pings (a pong timeout is set, so not an unsolicited pong): FIN + opcode 9, unmasked, 8 bytes of
        // ping id. It sends the next ping only once the last was answered, so the test answers each with the pong a
        // client sends: FIN + opcode 10, masked, the same 8 bytes — 14 bytes.
        const int Pings = 3;
        var mask = new byte[] { 1, 2, 3, 4 };
        for (var i = 0; i < Pings; i++)
        {
            var ping = await connection.ReadBodyAsync(10);
            Assert.Equal(0x89, ping[0]);
            Assert.Equal(8, ping[1]);
            await connection.WriteAsync([0x8A, 0x80 | 8, .. mask, .. ping.Skip(2).Select((b, j) => (byte)(b ^ mask[j % 4]))]);
        }

        // The target's own count: after the heads, exactly the pings it wrote and the pongs it read (a fourth ping may
        // be on its way: at most one more).
        TransportStats Ws() => target.Stats.Snapshot().Transports[TransportIds.WebSocket];
        await Wait.UntilAsync(() => Ws().FramingBytes >= Pings * (10 + 14), "the target read the last pong");
        var ws = Ws();
        Assert.Equal(connection.ResponseHeadBytes + connection.BytesWritten - (Pings * 14), ws.HeaderBytes);
        Assert.InRange(ws.FramingBytes, Pings * (10 + 14), Pings * (10 + 14) + 10);
        Assert.Equal(0, target.Stats.Snapshot().Transports[TransportIds.WebSocket].PayloadBytes);
    }

    [Fact]
    public void WebSocket_WithoutHeartbeat_NoKeepAliveAtAll()
    {
        // The middleware's default would ping every 2 minutes; a test cannot wait that long, so the settings
        // themselves are the fact: zero turns the runtime's keep-alive off, and an accept without a heartbeat
        // leaves the middleware's value in force.
        Assert.Equal(TimeSpan.Zero, KeepAlive.MiddlewareOptions.KeepAliveInterval);
        Assert.Null(KeepAlive.AcceptContext(null).KeepAliveInterval);
        var beating = KeepAlive.AcceptContext(TimeSpan.FromSeconds(20));
        Assert.Equal(TimeSpan.FromSeconds(20), beating.KeepAliveInterval);
        Assert.Equal(TimeSpan.FromSeconds(40), beating.KeepAliveTimeout);
    }
}
