using LoadBench.Contracts;
using LoadBench.Engine.Metrics;
using LoadBench.Engine.Tests.TestSupport;
using LoadBench.Engine.Transports;
using Microsoft.Extensions.Time.Testing;

namespace LoadBench.Engine.Tests.Metrics;

/// <summary>
/// The byte split is exact: for a fixed, hand-written exchange with a raw stub server, payload, framing and
/// header bytes equal numbers counted by hand here, and their sum equals what the stub itself read and wrote.
/// </summary>
public sealed class ByteSplitTests
{
    // 46 bytes each: "{" 1 + "\"seq\":1" 7 + "," 1 + "\"ts\":1767225599998500" 21 + "," 1 + "\"data\":\"hello\"" 14 + "}" 1.
    private static readonly string E1 = StubFeed.Event(1, StubFeed.NowMicros - 1500, "hello");
    private static readonly string E2 = StubFeed.Event(2, StubFeed.NowMicros - 1000, "world");
    private const int EventBytes = 46;

    [Fact]
    public void Events_HaveTheLengthCountedByHand()
    {
        Assert.Equal(EventBytes, E1.Length);
        Assert.Equal(EventBytes, E2.Length);
    }

    [Fact]
    public async Task Poll_ContentLengthArrayOfTwo_SplitsExactly()
    {
        await using var stub = StubFeed.Serve(TransportIds.Polling, [(1, E1), (2, E2)]);
        var recorders = new LatencyRecorders();
        var options = Options(stub, TransportIds.Polling, recorders);
        await using var client = (IRequestDrivenClient)FeedClientFactory.Create(options);

        await client.SendOneAsync(options.TimeProvider.GetTimestamp(), CancellationToken.None);
        // The client can have read the answer before the stub's write returned and was counted: compare once the
        // stub waits for the next request (see RunUntilAsync).
        await Wait.UntilAsync(() => stub.Quiet, "the stub to wait for the next request");
        var counters = client.Counters.Snapshot();

        var port = stub.Port.ToString(System.Globalization.CultureInfo.InvariantCulture).Length;
        // Request head: "GET /feed/poll?after=0&max=1000 HTTP/1.1\r\n" 42 + "Host: 127.0.0.1:" 16 + port + "\r\n" 2 + "\r\n" 2.
        var requestHead = 42 + 16 + port + 2 + 2;
        Assert.Equal($"GET /feed/poll?after=0&max=1000 HTTP/1.1\r\nHost: 127.0.0.1:{stub.Port}\r\n\r\n", Assert.Single(stub.Heads()));
        // Response head: "HTTP/1.1 200 OK\r\n" 17 + "Content-Type: application/json\r\n" 32 + "Content-Length: 95\r\n" 20 + "\r\n" 2.
        const int responseHead = 17 + 32 + 20 + 2;
        // Body: "[" + 46 + "," + 46 + "]" = 95; framing is the brackets and the comma.
        const int body = 1 + EventBytes + 1 + EventBytes + 1;

        Assert.Equal(requestHead, counters.SocketBytesWritten);
        Assert.Equal(responseHead + body, counters.SocketBytesRead);
        Assert.Equal(requestHead + responseHead, counters.HeaderBytes);
        Assert.Equal(2 * EventBytes, counters.PayloadBytes);
        Assert.Equal(3, counters.FramingBytes);
        Assert.Equal(stub.BytesReceived + stub.BytesSent, counters.SocketBytesRead + counters.SocketBytesWritten);
        Assert.Equal(2, counters.EventsDelivered);
        Assert.Equal(1, counters.Requests);
        AssertLatencies(recorders);
    }

    [Fact]
    public async Task Sse_ChunkedStreamOfTwo_SplitsExactly()
    {
        await using var stub = StubFeed.Serve(TransportIds.Sse, [(1, E1), (2, E2)]);
        var recorders = new LatencyRecorders();
        await using var client = FeedClientFactory.Create(Options(stub, TransportIds.Sse, recorders));

        var counters = await RunUntilAsync(client, stub, expectedCursor: 2);

        var port = stub.Port.ToString(System.Globalization.CultureInfo.InvariantCulture).Length;
        // Request head: "GET /feed/sse?after=0 HTTP/1.1\r\n" 32 + "Host: 127.0.0.1:" 16 + port + "\r\n" 2 + "\r\n" 2.
        var requestHead = 32 + 16 + port + 2 + 2;
        Assert.Equal($"GET /feed/sse?after=0 HTTP/1.1\r\nHost: 127.0.0.1:{stub.Port}\r\n\r\n", Assert.Single(stub.Heads()));
        // Response head: "HTTP/1.1 200 OK\r\n" 17 + "Content-Type: text/event-stream\r\n" 33 + "Transfer-Encoding: chunked\r\n" 28 + "\r\n" 2.
        const int responseHead = 17 + 33 + 28 + 2;
        // Per event, one chunk: "3c\r\n" 4 + ("id: 1\n" 6 + "data: " 6 + 46 + "\n\n" 2 = 60 = 0x3c) + "\r\n" 2.
        const int framingPerEvent = 4 + 6 + 6 + 2 + 2;

        Assert.Equal(requestHead, counters.SocketBytesWritten);
        Assert.Equal(responseHead + (2 * (framingPerEvent + EventBytes)), counters.SocketBytesRead);
        Assert.Equal(requestHead + responseHead, counters.HeaderBytes);
        Assert.Equal(2 * EventBytes, counters.PayloadBytes);
        Assert.Equal(2 * framingPerEvent, counters.FramingBytes);
        Assert.Equal(stub.BytesReceived + stub.BytesSent, counters.SocketBytesRead + counters.SocketBytesWritten);
        AssertLatencies(recorders);
    }

    [Fact]
    public async Task WebSocket_HandshakeFramesAndCloseBothWays_SplitExactly()
    {
        var clientCloseFrame = 0;
        await using var stub = new StubServer(async (connection, cancellationToken) =>
        {
            var head = await connection.ReadHeadAsync(cancellationToken);
            if (head is null)
            {
                return;
            }

            if (connection.Index == 0)
            {
                await connection.SendAsync(StubFeed.WebSocketResponseHead(head), false, cancellationToken);
                await connection.SendAsync(StubFeed.TextFrame(E1), false, cancellationToken);
                await connection.SendAsync(StubFeed.TextFrame(E2), false, cancellationToken);
                await connection.SendAsync(StubFeed.CloseFrame(FeedGone.WebSocketCloseStatus, "gone oldestSeq=1"), false, cancellationToken);
                clientCloseFrame = await StubFeed.ReadClientFrameAsync(connection, cancellationToken);
            }

            // The second connection (resuming from the oldest after the gone signal) is left unanswered.
            await connection.DrainAsync(cancellationToken);
        });
        var recorders = new LatencyRecorders();
        await using var client = FeedClientFactory.Create(Options(stub, TransportIds.WebSocket, recorders));

        var counters = await RunUntilAsync(client, stub, expectedCursor: 2, expectedHeads: 2);

        var heads = stub.Heads();
        Assert.StartsWith("GET /feed/ws?after=0 HTTP/1.1\r\n", heads[0], StringComparison.Ordinal);
        Assert.StartsWith("GET /feed/ws?after=0 HTTP/1.1\r\n", heads[1], StringComparison.Ordinal); // after=0: from the oldest
        Assert.Contains("Upgrade: websocket\r\n", heads[0], StringComparison.OrdinalIgnoreCase);
        // The request heads carry a random key, so their lengths are the stub's count of what it received.
        var requestHeads = heads[0].Length + heads[1].Length;
        // 101 head: "HTTP/1.1 101 Switching Protocols\r\n" 34 + "Connection: Upgrade\r\n" 21 + "Upgrade: websocket\r\n" 20
        //           + "Sec-WebSocket-Accept: " 22 + 28 (base64 of a SHA-1) + "\r\n" 2 + "\r\n" 2.
        const int responseHead = 34 + 21 + 20 + 22 + 28 + 2 + 2;
        // Server: two text frames with a 2-byte header each; a close frame: 2-byte header + status 2 + "gone oldestSeq=1" 16.
        const int serverFraming = 2 + 2 + (2 + 2 + 16);
        // Client: its close frame is masked: 2-byte header + 4-byte masking key + status 2 (no description).
        const int clientFraming = 2 + 4 + 2;

        Assert.Equal(clientFraming, clientCloseFrame);
        Assert.Equal(requestHeads + responseHead, counters.HeaderBytes);
        Assert.Equal(2 * EventBytes, counters.PayloadBytes);
        Assert.Equal(serverFraming + clientFraming, counters.FramingBytes);
        Assert.Equal(requestHeads + clientFraming, counters.SocketBytesWritten);
        Assert.Equal(responseHead + serverFraming + (2 * EventBytes), counters.SocketBytesRead);
        Assert.Equal(stub.BytesReceived + stub.BytesSent, counters.SocketBytesRead + counters.SocketBytesWritten);
        Assert.Equal(1, counters.GoneSignals);
        Assert.Equal(1, counters.Reconnects);
        AssertLatencies(recorders);
    }

    /// <summary>
    /// The raw WebSocket client reads the upgrade's answer on its socket: the 101 head, the frames that come in the
    /// same read after it, and a head or a frame cut anywhere by the reads are counted exactly and parsed alike.
    /// </summary>
    /// <param name="cut">Where the stub splits the 101 and the frames after it into two writes (the second after a
    /// pause, so the client reads them apart): 0 = one write for all, −1 = one byte per write.</param>
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(50)]
    [InlineData(ResponseHead101 - 1)]
    [InlineData(ResponseHead101)]
    [InlineData(ResponseHead101 + 1)]
    [InlineData(ResponseHead101 + 2 + EventBytes + 1)]
    [InlineData(-1)]
    public async Task WebSocket_UpgradeAnswerAndFramesCutAnywhere_SplitExactly(int cut)
    {
        var clientCloseFrame = 0;
        await using var stub = new StubServer(async (connection, cancellationToken) =>
        {
            var head = await connection.ReadHeadAsync(cancellationToken);
            if (head is null)
            {
                return;
            }

            if (connection.Index == 0)
            {
                byte[] answer =
                [
                    .. System.Text.Encoding.ASCII.GetBytes(StubFeed.WebSocketResponseHead(head)),
                    .. StubFeed.TextFrame(E1),
                    .. StubFeed.TextFrame(E2),
                    .. StubFeed.CloseFrame(FeedGone.WebSocketCloseStatus, "gone oldestSeq=1"),
                ];
                if (cut <= 0)
                {
                    await connection.SendAsync(answer, trickle: cut < 0, cancellationToken);
                }
                else
                {
                    await connection.SendAsync(answer[..cut], false, cancellationToken);
                    await Task.Delay(20, cancellationToken);
                    await connection.SendAsync(answer[cut..], false, cancellationToken);
                }

                clientCloseFrame = await StubFeed.ReadClientFrameAsync(connection, cancellationToken);
            }

            await connection.DrainAsync(cancellationToken);
        });
        var recorders = new LatencyRecorders();
        await using var client = FeedClientFactory.Create(Options(stub, TransportIds.WebSocket, recorders));

        var counters = await RunUntilAsync(client, stub, expectedCursor: 2, expectedHeads: 2);

        var heads = stub.Heads();
        var requestHeads = heads[0].Length + heads[1].Length;
        const int serverFraming = 2 + 2 + (2 + 2 + 16);
        const int clientFraming = 2 + 4 + 2;
        Assert.Equal(clientFraming, clientCloseFrame);
        Assert.Equal(requestHeads + ResponseHead101, counters.HeaderBytes);
        Assert.Equal(2 * EventBytes, counters.PayloadBytes);
        Assert.Equal(serverFraming + clientFraming, counters.FramingBytes);
        Assert.Equal(stub.BytesReceived + stub.BytesSent, counters.SocketBytesRead + counters.SocketBytesWritten);
        Assert.Equal(2, counters.EventsDelivered);
        Assert.Equal(1, counters.GoneSignals);
        Assert.Equal(0, counters.ErrorCount);
        AssertLatencies(recorders);
    }

    /// <summary>A refused upgrade's head and body are read to the body's end and counted (head as headers, body as
    /// framing), trickled one byte per read, and the refusal is counted by its status.</summary>
    [Fact]
    public async Task WebSocket_RefusalWithABody_CountsEveryByteAndTheStatus()
    {
        const string refusal = "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 5\r\n\r\nbusy!"; // head 34 + 19 + 2, body 5
        await using var stub = new StubServer(async (connection, cancellationToken) =>
        {
            if (await connection.ReadHeadAsync(cancellationToken) is not null && connection.Index == 0)
            {
                await connection.SendAsync(refusal, trickle: true, cancellationToken);
            }

            await connection.DrainAsync(cancellationToken);
        });
        await using var client = FeedClientFactory.Create(Options(stub, TransportIds.WebSocket, new LatencyRecorders()));
        using var stop = new CancellationTokenSource();
        var run = client.RunAsync(stop.Token);
        await Wait.UntilAsync(
            () =>
            {
                var c = client.Counters.Snapshot();
                return stub.Quiet && c.Errors.GetValueOrDefault("http_503") == 1 && c.SocketBytesRead == stub.BytesSent
                    && c.SocketBytesWritten == stub.BytesReceived;
            },
            "the 503 counted and every byte on both ends");
        await stop.CancelAsync();
        await run;

        var counters = client.Counters.Snapshot();
        Assert.Equal(34 + 19 + 2 + 5, refusal.Length);
        Assert.Equal(refusal.Length, counters.SocketBytesRead);
        Assert.Equal(stub.Heads().Sum(h => h.Length) + 34 + 19 + 2, counters.HeaderBytes);
        Assert.Equal(5, counters.FramingBytes);
        Assert.Equal(stub.BytesReceived + stub.BytesSent, counters.SocketBytesRead + counters.SocketBytesWritten);
        Assert.Equal(1, counters.Errors["http_503"]);
        Assert.Equal(0, counters.EventsDelivered);
    }

    // "HTTP/1.1 101 Switching Protocols\r\n" 34 + "Connection: Upgrade\r\n" 21 + "Upgrade: websocket\r\n" 20
    // + "Sec-WebSocket-Accept: " 22 + 28 (base64 of a SHA-1) + "\r\n" 2 + "\r\n" 2.
    private const int ResponseHead101 = 34 + 21 + 20 + 22 + 28 + 2 + 2;

    internal static FeedClientOptions Options(StubServer stub, string transport, LatencyRecorders recorders) =>
        new(stub.BaseUri, transport, recorders) { TimeProvider = new FakeTimeProvider(StubFeed.Now) };

    /// <summary>Runs the client until it reached <paramref name="expectedCursor"/>, the stub has nothing more to
    /// send (<see cref="StubServer.Quiet"/>) and both ends agree on every byte (nothing in flight), then stops it
    /// and returns its counters.</summary>
    internal static async Task<ClientCountersSnapshot> RunUntilAsync(IFeedClient client, StubServer stub, long expectedCursor, int expectedHeads = 1)
    {
        using var stop = new CancellationTokenSource();
        var run = client.RunAsync(stop.Token);
        await Wait.UntilAsync(
            () =>
            {
                var c = client.Counters.Snapshot();
                // Quiet first: once the stub waits for the client, what it sent is final, so the counts compared
                // after it cannot be a pause in the middle of a write.
                var quiet = stub.Quiet;
                return quiet && client.Cursor == expectedCursor && stub.Heads().Length >= expectedHeads
                    && c.SocketBytesRead == stub.BytesSent && c.SocketBytesWritten == stub.BytesReceived;
            },
            $"cursor {expectedCursor}, a quiet stub and every byte on both ends");
        await stop.CancelAsync();
        await run;
        return client.Counters.Snapshot();
    }

    private static void AssertLatencies(LatencyRecorders recorders)
    {
        // E1 was published 1,500 µs and E2 1,000 µs before the fake clock's now; values under 2,048 are exact.
        var histogram = recorders.Event.GetIntervalHistogram();
        Assert.Equal(2, histogram.TotalCount);
        Assert.Equal(1000, histogram.GetValueAtPercentile(0));
        Assert.Equal(1500, histogram.GetValueAtPercentile(100));
    }
}
