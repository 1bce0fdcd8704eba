using System.Net.WebSockets;
using System.Text;
using LoadBench.Contracts;
using LoadBench.Target.Tests.TestSupport;

namespace LoadBench.Target.Tests.Stats;

/// <summary>
/// /stats counts bytes on the target's sockets. The truth here is the test's own socket: what it wrote and read,
/// byte for byte, and where each head ends.
/// </summary>
public sealed class SocketBytesTests
{
    [Fact]
    public async Task Poll_StatsEqualTheClientsSocketBytes_SplitExactly()
    {
        await using var target = await RunningTarget.StartAsync();
        var published = target.Publish(3);
        using var client = await RawHttpConnection.OpenAsync(target.BaseAddress);
        long bodies = 0;
        foreach (var query in new[] { "?after=0", "?after=3", "?after=1&max=1" })
        {
            await client.SendGetAsync(FeedRoutes.Poll + query);
            var head = await client.ReadHeadAsync();
            var length = int.Parse(head.Split("Content-Length: ")[1].Split("\r\n")[0], System.Globalization.CultureInfo.InvariantCulture);
            bodies += (await client.ReadBodyAsync(length)).Length;
        }

        client.Dispose();
        await Wait.UntilAsync(() => target.Stats.Polling.Snapshot().OpenConnections == 0, "the poll requests to end");

        var stats = target.Stats.Polling.Snapshot();
        Assert.Equal(client.BytesWritten, stats.BytesRead);
        Assert.Equal(client.BytesRead, stats.BytesWritten);
        // Payload: events 1..3, then none, then event 2 again.
        var payload = published.Sum(Encoding.UTF8.GetByteCount) + Encoding.UTF8.GetByteCount(published[1]);
        Assert.Equal(payload, stats.PayloadBytes);
        // Heads: every request we wrote is all head (GETs have no body), plus the three response heads.
        Assert.Equal(client.BytesWritten + client.ResponseHeadBytes, stats.HeaderBytes);
        // Framing: "[" "," "," "]" + "[" "]" + "[" "]".
        Assert.Equal(8, stats.FramingBytes);
        Assert.Equal(bodies, stats.PayloadBytes + stats.FramingBytes);
        Assert.Equal(4, stats.EventsSent);
        Assert.Equal(3, stats.Requests);
    }

    [Fact]
    public async Task Sse_StatsEqualTheClientsSocketBytes_ChunkLinesAreFraming()
    {
        var target = await RunningTarget.StartAsync();
        await using (target)
        {
            using var client = await RawHttpConnection.OpenAsync(target.BaseAddress);
            await client.SendGetAsync(FeedRoutes.Sse + "?after=0");
            await client.ReadHeadAsync();
            var published = target.Publish(3);
            await client.ReadUntilAsync("\n\n", 3);

            // A graceful stop ends the stream with its last chunk, so every byte written reaches the client.
            await target.StopAsync();
            var body = await client.ReadToEndAsync();

            var stats = target.Stats.Sse.Snapshot();
            Assert.Equal(client.BytesWritten, stats.BytesRead);
            Assert.Equal(client.BytesRead, stats.BytesWritten);
            Assert.Equal(published.Sum(Encoding.UTF8.GetByteCount), stats.PayloadBytes);
            Assert.Equal(client.BytesWritten + client.ResponseHeadBytes, stats.HeaderBytes);
            // Each event: "data: " + json + "\n" + "id: N\n" + "\n" (14 bytes around the JSON for one-digit ids), in
            // chunks as the target flushed them — one per event, or one for events ready together: hex size + CRLF
            // before, CRLF after, read off the client's own bytes. Plus the final "0\r\n\r\n".
            var perEventSse = "data: ".Length + "\n".Length + "id: 1\n".Length + "\n".Length;
            var (chunks, chunkFraming, data) = Unchunk(body);
            Assert.Equal(string.Concat(published.Select((json, i) => $"data: {json}\nid: {i + 1}\n\n")), Encoding.UTF8.GetString(data));
            Assert.InRange(chunks, 2, 4);
            Assert.Equal((3 * perEventSse) + chunkFraming, stats.FramingBytes);
        }
    }

    [Fact]
    public async Task WebSocket_StatsEqualTheClientsSocketBytes_HandshakeIsHeaders()
    {
        await using var target = await RunningTarget.StartAsync();
        using var http = new CountingHttp();
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(target.WebSocketUri("?after=0"), new HttpMessageInvoker(http.Handler), CancellationToken.None);
        var published = target.Publish(2);
        var buffer = new byte[4096];
        for (var i = 0; i < 2; i++)
        {
            await socket.ReceiveAsync(buffer.AsMemory(), CancellationToken.None);
        }

        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
        await Wait.UntilAsync(() => target.Stats.WebSocket.Snapshot().OpenConnections == 0, "the WebSocket session to end");

        var stats = target.Stats.WebSocket.Snapshot();
        Assert.Equal(http.BytesWritten, stats.BytesRead);
        Assert.Equal(http.BytesRead, stats.BytesWritten);
        Assert.Equal(published.Sum(Encoding.UTF8.GetByteCount), stats.PayloadBytes);
        // Frames: two server text frames (2-byte header each: payload < 126), the client's masked close
        // (2 + 4 mask + 2 status) and the server's close (2 + 2 status).
        Assert.Equal(2 * 2 + 8 + 4, stats.FramingBytes);
    }

    [Fact]
    public async Task LongPoll_StatsEqualTheClientsSocketBytes()
    {
        await using var target = await RunningTarget.StartAsync();
        target.Publish(1);
        using var client = await RawHttpConnection.OpenAsync(target.BaseAddress);
        await client.SendGetAsync(FeedRoutes.LongPoll + "?after=1");
        await Task.Delay(50);
        var published = target.Publish(1);
        var head = await client.ReadHeadAsync();
        await client.ReadBodyAsync(int.Parse(head.Split("Content-Length: ")[1].Split("\r\n")[0], System.Globalization.CultureInfo.InvariantCulture));
        client.Dispose();
        await Wait.UntilAsync(() => target.Stats.LongPolling.Snapshot().OpenConnections == 0, "the long poll to end");

        var stats = target.Stats.LongPolling.Snapshot();
        Assert.Equal(client.BytesWritten, stats.BytesRead);
        Assert.Equal(client.BytesRead, stats.BytesWritten);
        Assert.Equal(Encoding.UTF8.GetByteCount(published[0]), stats.PayloadBytes);
        Assert.Equal(2, stats.FramingBytes);
    }

    [Fact]
    public async Task StatsRoute_ReportsEveryTransportAndTheProcess()
    {
        await using var target = await RunningTarget.StartAsync();
        target.Publish(2);
        await target.Http.GetStringAsync("/feed/poll?after=0");

        var json = System.Text.Json.JsonDocument.Parse(await target.Http.GetStringAsync(FeedRoutes.Stats)).RootElement;

        foreach (var id in TransportIds.All.Append(TransportIds.Other))
        {
            Assert.True(json.GetProperty("transports").TryGetProperty(id, out _), id);
        }

        var poll = json.GetProperty("transports").GetProperty("poll");
        Assert.Equal(2, poll.GetProperty("eventsSent").GetInt64());
        Assert.Equal(poll.GetProperty("bytesRead").GetInt64() + poll.GetProperty("bytesWritten").GetInt64(),
            poll.GetProperty("payloadBytes").GetInt64() + poll.GetProperty("headerBytes").GetInt64() + poll.GetProperty("framingBytes").GetInt64());
        Assert.True(json.GetProperty("process").GetProperty("cpuTimeMs").GetDouble() > 0);
        Assert.True(json.GetProperty("process").GetProperty("workingSetBytes").GetInt64() > 0);
    }

    [Fact]
    public async Task StatsRoute_WithGc_CollectsFirst_AndABadGcValueIs400()
    {
        await using var target = await RunningTarget.StartAsync();

        var collected = System.Text.Json.JsonDocument.Parse(await target.Http.GetStringAsync(FeedRoutes.Stats + "?gc=true")).RootElement;
        using var bad = await target.Http.GetAsync(FeedRoutes.Stats + "?gc=maybe");

        Assert.True(collected.GetProperty("process").GetProperty("managedHeapBytes").GetInt64() > 0);
        var problem = await Problems.AssertProblemAsync(bad, System.Net.HttpStatusCode.BadRequest);
        Assert.Equal("gc", problem.GetProperty("parameter").GetString());
    }

    /// <summary>A chunked body's chunks (the final empty one included), the bytes of their size lines and CRLFs, and the data.</summary>
    private static (int Chunks, int FramingBytes, byte[] Data) Unchunk(byte[] body)
    {
        var (chunks, framing, at) = (0, 0, 0);
        var data = new List<byte>();
        while (at < body.Length)
        {
            var lineEnd = body.AsSpan(at).IndexOf("\r\n"u8);
            var size = Convert.ToInt32(Encoding.ASCII.GetString(body, at, lineEnd), 16);
            chunks++;
            framing += lineEnd + 4;
            data.AddRange(body.AsSpan(at + lineEnd + 2, size));
            at += lineEnd + 2 + size + 2;
            if (size == 0)
            {
                Assert.Equal(body.Length, at);
                return (chunks, framing, [.. data]);
            }
        }

        Assert.Fail("The body ended without its final chunk.");
        return default;
    }
}
