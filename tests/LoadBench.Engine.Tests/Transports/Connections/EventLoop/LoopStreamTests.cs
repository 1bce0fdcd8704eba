using System.Text;
using LoadBench.Contracts;
using LoadBench.Engine.Metrics;
using LoadBench.Engine.Tests.TestSupport;
using LoadBench.Engine.Transports;
using LoadBench.Engine.Transports.Connections.EventLoop;

namespace LoadBench.Engine.Tests.Transports.Connections.EventLoop;

/// <summary>
/// The raw SSE and WebSocket streams on the engine's event loop (<see cref="LoopStream"/>): the phase's end, the target's
/// end of the stream, the drain after a signal and a ping's pong, each checked to run on a loop's thread (the client reads
/// its clock once per event, on the thread that parsed it) and, where the awaited path does the same, against it.
/// </summary>
public sealed class LoopStreamTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    public static TheoryData<string> Streaming => [TransportIds.Sse, TransportIds.WebSocket];

    private static string E(long seq) => StubFeed.Event(seq, StubFeed.NowMicros, "x" + seq);

    private static FeedClientOptions Options(StubServer stub, string transport, TimeProvider time, bool onLoop) =>
        new(stub.BaseUri, transport, new LatencyRecorders()) { TimeProvider = time, StreamLoop = onLoop };

    /// <summary>The answer, then one event in a send of its own (frames that come with a 101 are parsed where the upgrade
    /// is checked, off the loop).</summary>
    private static async Task SendHeadAndEventAsync(StubConnection connection, string transport, string requestHead, long seq, CancellationToken cancellationToken)
    {
        if (transport == TransportIds.Sse)
        {
            await connection.SendAsync(StubFeed.SseResponseHead, false, cancellationToken);
            await Task.Delay(20, cancellationToken);
            await connection.SendAsync(StubFeed.SseChunk(seq, E(seq)), false, cancellationToken);
        }
        else
        {
            await connection.SendAsync(StubFeed.WebSocketResponseHead(requestHead), false, cancellationToken);
            await Task.Delay(20, cancellationToken);
            await connection.SendAsync(StubFeed.TextFrame(E(seq)), false, cancellationToken);
        }
    }

    [Theory]
    [MemberData(nameof(Streaming))]
    public async Task RunAsync_CancelledMidStream_EndsPromptlyAndClosesTheSocket(string transport)
    {
        var closedByClient = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sendSecond = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var stub = new StubServer(async (connection, cancellationToken) =>
        {
            var head = await connection.ReadHeadAsync(cancellationToken);
            if (head is null)
            {
                return;
            }

            await SendHeadAndEventAsync(connection, transport, head, 1, cancellationToken);
            // The second event only once the first was parsed: a read is then waiting on the loop, so it is the loop's
            // to parse (the first may be read on a pool thread if it came before the client's first read began).
            await sendSecond.Task.WaitAsync(cancellationToken);
            if (transport == TransportIds.Sse)
            {
                await connection.SendAsync(StubFeed.SseChunk(2, E(2)), false, cancellationToken);
            }
            else
            {
                await connection.SendAsync(StubFeed.TextFrame(E(2)), false, cancellationToken);
            }
            try
            {
                await connection.DrainAsync(cancellationToken); // returns when the client closes the socket
            }
            finally
            {
                closedByClient.TrySetResult(); // a reset is a close too (the awaited path's disposal resets)
            }
        });
        var time = new ThreadNotingClock();
        await using var client = FeedClientFactory.Create(Options(stub, transport, time, onLoop: true));
        using var stop = new CancellationTokenSource();
        var run = client.RunAsync(stop.Token);
        await Wait.UntilAsync(() => client.Cursor == 1, "the first event");
        sendSecond.TrySetResult();
        await Wait.UntilAsync(() => client.Cursor == 2, "the second event");

        await stop.CancelAsync();
        await run.WaitAsync(Bound); // returns cleanly on cancellation
        await closedByClient.Task.WaitAsync(Bound);

        Assert.True(time.ReadOnALoop, $"events parsed on {time.Threads}");
        var counters = client.Counters.Snapshot();
        Assert.Equal(2, counters.EventsDelivered);
        Assert.Equal(0, counters.ErrorCount);
        Assert.Equal(1, stub.ConnectionsAccepted);
    }

    /// <summary>The target ends the stream without a signal (SSE: mid-body; WebSocket: without a close frame): the loop
    /// counts the same errors, reconnects and bytes as the awaited reads.</summary>
    [Theory]
    [MemberData(nameof(Streaming))]
    public async Task RunAsync_TargetEndsTheStream_SameErrorsAndCountsAsTheAwaitedReads(string transport)
    {
        var onLoop = await EndedStreamAsync(transport, onLoop: true);
        var awaited = await EndedStreamAsync(transport, onLoop: false);

        Assert.True(onLoop.Time.ReadOnALoop, $"events parsed on {onLoop.Time.Threads}");
        Assert.False(awaited.Time.ReadOnALoop, $"events parsed on {awaited.Time.Threads}");
        Assert.Equal(2, onLoop.Counters.EventsDelivered);
        Assert.NotEmpty(onLoop.Counters.Errors);
        Assert.Equal(awaited.Counters.Errors, onLoop.Counters.Errors);
        Assert.Equal(awaited.Counters.Reconnects, onLoop.Counters.Reconnects);
        Assert.Equal(awaited.Counters.SocketBytesRead, onLoop.Counters.SocketBytesRead);
        Assert.Equal(awaited.Counters.SocketBytesWritten, onLoop.Counters.SocketBytesWritten);
        Assert.Equal(awaited.Counters.FramingBytes, onLoop.Counters.FramingBytes);
        Assert.Equal(awaited.Counters.HeaderBytes, onLoop.Counters.HeaderBytes);
    }

    private static async Task<(ClientCountersSnapshot Counters, ThreadNotingClock Time)> EndedStreamAsync(string transport, bool onLoop)
    {
        await using var stub = new StubServer(async (connection, cancellationToken) =>
        {
            var head = await connection.ReadHeadAsync(cancellationToken);
            if (head is null)
            {
                return;
            }

            // The first connection carries event 1 and ends; the second carries event 2 and stays.
            await SendHeadAndEventAsync(connection, transport, head, connection.Index + 1, cancellationToken);
            if (connection.Index == 0)
            {
                return;
            }

            await connection.DrainAsync(cancellationToken);
        });
        var time = new ThreadNotingClock();
        await using var client = FeedClientFactory.Create(Options(stub, transport, time, onLoop) with
        {
            Reconnect = ReconnectPolicy.Default with { InitialDelay = TimeSpan.FromMilliseconds(1), MaxDelay = TimeSpan.FromMilliseconds(1) },
        });
        var counters = await RunToSecondEventAsync(client, stub);
        return (counters, time);
    }

    private static async Task<ClientCountersSnapshot> RunToSecondEventAsync(IFeedClient client, StubServer stub)
    {
        using var stop = new CancellationTokenSource();
        var run = client.RunAsync(stop.Token);
        await Wait.UntilAsync(
            () =>
            {
                var c = client.Counters.Snapshot();
                return client.Cursor == 2 && stub.Quiet && c.SocketBytesRead == stub.BytesSent && c.SocketBytesWritten == stub.BytesReceived;
            },
            "event 2 on the second connection, every byte on both ends");
        await stop.CancelAsync();
        await run.WaitAsync(Bound);
        return client.Counters.Snapshot();
    }

    /// <summary>After a gone signal the client reads the stream's end for the byte count: the bytes the target sends
    /// after it are counted, and a target that never ends the stream is left after the drain's timeout.</summary>
    [Fact]
    public async Task Sse_SignalThenTheStreamStaysOpen_DrainsCountsAndReconnects()
    {
        var signal = StubFeed.Chunk($"event: {FeedGone.SseEventType}\ndata: {{\"oldestSeq\":1}}\n\n");
        var second = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var stub = new StubServer(async (connection, cancellationToken) =>
        {
            var head = await connection.ReadHeadAsync(cancellationToken);
            if (head is null)
            {
                return;
            }

            if (connection.Index == 0)
            {
                await connection.SendAsync(StubFeed.SseResponseHead, false, cancellationToken);
                await Task.Delay(20, cancellationToken);
                await connection.SendAsync(StubFeed.SseChunk(1, E(1)) + signal, false, cancellationToken);
                await Task.Delay(50, cancellationToken);
                await connection.SendAsync(StubFeed.Chunk(": after the signal\n\n"), false, cancellationToken); // read, counted, not parsed
            }
            else
            {
                second.TrySetResult();
            }

            await connection.DrainAsync(cancellationToken);
        });
        var time = new ThreadNotingClock();
        await using var client = FeedClientFactory.Create(Options(stub, TransportIds.Sse, time, onLoop: true) with
        {
            Reconnect = ReconnectPolicy.Default with { InitialDelay = TimeSpan.FromMilliseconds(1), MaxDelay = TimeSpan.FromMilliseconds(1) },
        });
        using var stop = new CancellationTokenSource();
        var run = client.RunAsync(stop.Token);

        await second.Task.WaitAsync(Bound); // the drain (2 s) ended the first stream
        await Wait.UntilAsync(() => stub.Quiet && client.Counters.Snapshot().SocketBytesRead == stub.BytesSent, "every byte sent counted");
        await stop.CancelAsync();
        await run.WaitAsync(Bound);

        Assert.True(time.ReadOnALoop, $"events parsed on {time.Threads}");
        var counters = client.Counters.Snapshot();
        Assert.Equal(1, counters.GoneSignals);
        Assert.Equal(0, counters.ErrorCount);
        Assert.Equal(stub.BytesReceived, counters.SocketBytesWritten);
        Assert.DoesNotContain("Last-Event-ID", stub.Heads()[1], StringComparison.Ordinal); // resumed from the oldest
    }

    [Fact]
    public async Task WebSocket_PingOnTheLoop_GetsItsPongWithTheSamePayload()
    {
        var pong = new TaskCompletionSource<(int Opcode, string Payload)>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var stub = new StubServer(async (connection, cancellationToken) =>
        {
            var head = await connection.ReadHeadAsync(cancellationToken);
            if (head is null)
            {
                return;
            }

            await SendHeadAndEventAsync(connection, TransportIds.WebSocket, head, 1, cancellationToken);
            await Task.Delay(20, cancellationToken); // the ping in a read of its own
            await connection.SendAsync([0x89, 2, (byte)'h', (byte)'b'], false, cancellationToken);
            var header = await connection.ReadExactlyAsync(2, cancellationToken);
            var rest = await connection.ReadExactlyAsync(4 + (header[1] & 0x7F), cancellationToken);
            var payload = rest[4..].Select((b, i) => (byte)(b ^ rest[i & 3])).ToArray();
            pong.TrySetResult((header[0] & 0x0F, Encoding.ASCII.GetString(payload)));
            await connection.SendAsync(StubFeed.TextFrame(E(2)), false, cancellationToken);
            await connection.DrainAsync(cancellationToken);
        });
        var time = new ThreadNotingClock();
        await using var client = FeedClientFactory.Create(Options(stub, TransportIds.WebSocket, time, onLoop: true));
        using var stop = new CancellationTokenSource();
        var run = client.RunAsync(stop.Token);

        var (opcode, text) = await pong.Task.WaitAsync(Bound);
        await Wait.UntilAsync(
            () => client.Cursor == 2 && stub.Quiet && client.Counters.Snapshot().SocketBytesWritten == stub.BytesReceived,
            "the event after the pong, every byte on both ends");
        await stop.CancelAsync();
        await run.WaitAsync(Bound);

        Assert.Equal(0xA, opcode);
        Assert.Equal("hb", text);
        Assert.True(time.ReadOnALoop, $"events parsed on {time.Threads}");
        var counters = client.Counters.Snapshot();
        Assert.Equal(0, counters.ErrorCount);
        Assert.Equal(counters.SocketBytesRead + counters.SocketBytesWritten, counters.PayloadBytes + counters.FramingBytes + counters.HeaderBytes);
    }

    [Theory]
    [InlineData(2, null, 2)]
    [InlineData(2, "1", 1)]
    [InlineData(4, "2", 2)]
    [InlineData(2, "8", 2)]
    [InlineData(2, "0", 2)]
    [InlineData(2, "-1", 2)]
    [InlineData(2, "two", 2)]
    [InlineData(0, null, 1)]
    public void Count_OnePerCoreUnlessTheSocketThreadCountSaysFewer(int cores, string? threadCount, int expected) =>
        Assert.Equal(expected, EpollLoop.Count(cores, threadCount));

    /// <summary>The system clock, noting the threads that read the time of day: the stream clients read it only once per
    /// event, where they parse it (ClientCore.NowMicros); timers and back-off use timestamps.</summary>
    private sealed class ThreadNotingClock : TimeProvider
    {
        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> _threads = new();

        // Any: bytes that came before the client waited for them (under load, the first of a connection) are read on the
        // thread that starts the read.
        public bool ReadOnALoop => _threads.Keys.Any(name => name.StartsWith("LoadBench epoll loop", StringComparison.Ordinal));

        public string Threads => string.Join(", ", _threads.Keys);

        public override DateTimeOffset GetUtcNow()
        {
            _threads.TryAdd(Thread.CurrentThread.Name ?? "(pool)", true);

            return base.GetUtcNow();
        }
    }
}
