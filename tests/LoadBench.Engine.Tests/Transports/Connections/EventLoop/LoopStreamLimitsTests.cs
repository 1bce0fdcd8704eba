using System.Net;
using System.Net.Sockets;
using LoadBench.Contracts;
using LoadBench.Engine.Metrics;
using LoadBench.Engine.Tests.TestSupport;
using LoadBench.Engine.Transports;
using LoadBench.Engine.Transports.Connections;
using LoadBench.Engine.Transports.Connections.EventLoop;

namespace LoadBench.Engine.Tests.Transports.Connections.EventLoop;

/// <summary>
/// The limits of a <see cref="LoopStream"/> found in review: framing a target never reads is bounded, a failure that
/// comes while no read runs is the next read's, and an upgrade answer's head over 8 KiB is refused even when it comes
/// whole in one read (as the awaited path refuses it).
/// </summary>
public sealed class LoopStreamLimitsTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task SendFraming_ToATargetThatNeverReads_FailsPastTheBound_InsteadOfGrowing()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var stream = await ConnectAsync(listener);
        using var accepted = await listener.AcceptSocketAsync().WaitAsync(Bound); // never reads

        var chunk = new byte[4096];
        var offered = 0L;
        var failed = false;
        // The kernel's buffers on both ends take some MiB first; the bound allows 64 KiB more.
        while (!failed && offered < 256L << 20)
        {
            try
            {
                stream.SendFraming(chunk);
                offered += chunk.Length;
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.NoBufferSpaceAvailable)
            {
                failed = true;
            }
        }

        Assert.True(failed, $"offered {offered} bytes to a target that reads nothing, and every one was taken");
        Assert.False(stream.AllSent);
    }

    [Fact]
    public async Task AFailureWhileNoReadRuns_IsThrownByTheNextRead()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var stream = await ConnectAsync(listener);
        var accepted = await listener.AcceptSocketAsync().WaitAsync(Bound);

        // Framing queued behind full buffers, then the target resets the connection: the loop's next try to send the
        // rest fails while no read is running.
        var chunk = new byte[4096];
        for (var i = 0; i < 65536 && stream.AllSent; i++)
        {
            stream.SendFraming(chunk);
        }

        Assert.False(stream.AllSent);
        accepted.LingerState = new LingerOption(true, 0);
        accepted.Dispose(); // RST
        // The loop sees the reset and fails the send while no read is running to take it.
        await Wait.UntilAsync(() => stream.HasFailed, "the loop to fail the queued send");

        var read = stream.ReadAsync(new NoBytesExpected());
        var thrown = await Assert.ThrowsAnyAsync<SocketException>(() => read.WaitAsync(Bound));
        Assert.NotEqual(SocketError.Success, thrown.SocketErrorCode);
    }

    [Fact]
    public async Task WebSocket_UpgradeHeadOver8KiB_InOneRead_IsRefusedOnTheLoop_AsTheAwaitedPathRefusesIt()
    {
        var onLoop = await LongHeadAsync(onLoop: true);
        var awaited = await LongHeadAsync(onLoop: false);

        Assert.Equal(0, onLoop.EventsDelivered);
        Assert.NotEmpty(onLoop.Errors);
        Assert.Equal(awaited.Errors, onLoop.Errors);
        Assert.Equal(awaited.EventsDelivered, onLoop.EventsDelivered);
    }

    private static async Task<ClientCountersSnapshot> LongHeadAsync(bool onLoop)
    {
        await using var stub = new StubServer(async (connection, cancellationToken) =>
        {
            var head = await connection.ReadHeadAsync(cancellationToken);
            if (head is null)
            {
                return;
            }

            // A valid 101 whose head is 9 KiB long, in one send (one read of the loop's 16 KiB), then an event.
            var answer = StubFeed.WebSocketResponseHead(head);
            answer = answer[..^2] + "X-Padding: " + new string('p', 9000) + "\r\n\r\n";
            await connection.SendAsync(answer, false, cancellationToken);
            await connection.SendAsync(StubFeed.TextFrame(StubFeed.Event(1, StubFeed.NowMicros, "x")), false, cancellationToken);
            await connection.DrainAsync(cancellationToken);
        });
        await using var client = FeedClientFactory.Create(new FeedClientOptions(stub.BaseUri, TransportIds.WebSocket, new LatencyRecorders())
        {
            StreamLoop = onLoop,
            Reconnect = ReconnectPolicy.Default with { InitialDelay = TimeSpan.FromSeconds(30), MaxDelay = TimeSpan.FromSeconds(30) },
        });
        using var stop = new CancellationTokenSource();
        var run = client.RunAsync(stop.Token);
        await Wait.UntilAsync(() => client.Counters.Snapshot().ErrorCount > 0 || client.Cursor > 0, "the answer to be refused or taken");
        await stop.CancelAsync();
        await run.WaitAsync(Bound);
        return client.Counters.Snapshot();
    }

    private static Task<LoopStream> ConnectAsync(TcpListener listener) =>
        LoopStream.ConnectAsync((IPEndPoint)listener.LocalEndpoint, ConnectionPolicy.LoopbackOnly, new WireMeter(new ClientCounters()), CancellationToken.None)
            .WaitAsync(Bound);

    private sealed class NoBytesExpected : LoopStreamReader
    {
        public override bool TakeRead(ReadOnlySpan<byte> bytes) => throw new InvalidOperationException($"{bytes.Length} bytes from a target that sent none");
    }
}
