using System.Net.Http.Json;
using LoadBench.Contracts;
using LoadBench.Engine.Metrics;
using LoadBench.Engine.Tests.TestSupport;
using LoadBench.Engine.Transports;
using LoadBench.Engine.Transports.Connections.EventLoop;
using LoadBench.Engine.Transports.Polling;

namespace LoadBench.Engine.Tests.Transports.Polling;

/// <summary>
/// Short polling back to back, which runs on the engine's event loop (PollExchange.Loop.cs), against the real target:
/// the contract's expectations (every event once, in order, with its latency; bytes that add up and agree with the
/// target's count; a drop survived without loss) for the path <see cref="PollingClientTests"/> (a 2 s pause) does not take.
/// </summary>
public sealed class PollingLoopTests
{
    private static PollingClient Create(RunningTarget target, LatencyRecorders recorders, long startAfter) =>
        (PollingClient)FeedClientFactory.Create(new FeedClientOptions(target.BaseAddress, TransportIds.Polling, recorders)
        {
            StartAfter = startAfter,
            PollInterval = TimeSpan.Zero,
        });

    [Fact]
    public async Task RunAsync_BackToBack_DeliversEveryEventOnceWithLatencyAndBytesTheTargetCountedToo()
    {
        if (!Epoll.IsSupported)
        {
            return; // the event loop runs on Linux x86-64 only
        }

        await using var target = await RunningTarget.StartAsync();
        target.Publish(3); // before the start cursor: must not be delivered
        var recorders = new LatencyRecorders();
        await using var client = Create(target, recorders, startAfter: target.Log.LatestSeq);
        Assert.True(client.PollsOnLoop);
        using var stop = new CancellationTokenSource();
        var run = client.RunAsync(stop.Token);

        var lengths = new List<int>();
        for (var i = 0; i < 20; i++)
        {
            lengths.AddRange(target.Publish(1).Select(json => json.Length));
            await Task.Delay(5);
        }

        await Wait.UntilAsync(() => client.Cursor == 23, "the client to reach seq 23");
        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(30));

        var counters = client.Counters.Snapshot();
        Assert.Equal(20, counters.EventsDelivered);
        Assert.Equal(0, counters.Lost + counters.Duplicates + counters.Reorders + counters.ErrorCount);
        Assert.Equal(20, recorders.Event.GetIntervalHistogram().TotalCount);
        Assert.True(counters.Requests >= 1, $"requests {counters.Requests}");
        Assert.Equal(counters.Requests, recorders.Request.GetIntervalHistogram().TotalCount);
        Assert.Equal(lengths.Sum(), counters.PayloadBytes);
        Assert.Equal(counters.SocketBytesRead + counters.SocketBytesWritten, counters.PayloadBytes + counters.FramingBytes + counters.HeaderBytes);

        // The target read every request the client wrote; it wrote what the client read, plus at most the answer to the
        // poll the stop cut short (back to back, one is always in flight).
        TransportStats? mine = null;
        await Wait.UntilAsync(
            () =>
            {
                mine = target.Http.GetFromJsonAsync(FeedRoutes.Stats, ContractsJson.Default.StatsSnapshot).GetAwaiter().GetResult()!.Transports[TransportIds.Polling];
                return mine.BytesRead == counters.SocketBytesWritten;
            },
            "the target's count of the client's bytes to equal the client's");
        Assert.Equal(counters.PayloadBytes, mine!.PayloadBytes);
        var unread = mine.BytesWritten - counters.SocketBytesRead;
        Assert.True(unread >= 0 && unread < 200, $"target wrote {mine.BytesWritten}, client read {counters.SocketBytesRead}");
    }

    [Fact]
    public async Task RunAsync_TargetDropsConnections_ReconnectsAndLosesNothing()
    {
        if (!Epoll.IsSupported)
        {
            return; // the event loop runs on Linux x86-64 only
        }

        await using var target = await RunningTarget.StartAsync();
        await using var client = Create(target, new LatencyRecorders(), startAfter: 0);
        using var stop = new CancellationTokenSource();
        var run = client.RunAsync(stop.Token);

        target.Publish(5);
        await Wait.UntilAsync(() => client.Cursor == 5, "the first five events");
        for (var drop = 0; drop < 3; drop++)
        {
            var before = client.Counters.Snapshot();
            // The target drops only connections with a poll open: tried until one was (back to back, nearly at once).
            await Wait.UntilAsync(
                () => target.Http.PostAsync(FeedRoutes.DropConnections, null).GetAwaiter().GetResult().Content.ReadAsStringAsync().GetAwaiter().GetResult() != """{"dropped":0}""",
                "a drop that hit the client's connection");
            target.Publish(5); // published while the client may still be reconnecting
            await Wait.UntilAsync(() => client.Cursor == 10 + 5 * drop, "the five events after the drop");
            await Wait.UntilAsync(() => client.Counters.Snapshot().Requests > before.Requests + 10, "polls on the new connection");
        }

        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(30));

        var counters = client.Counters.Snapshot();
        Assert.Equal(20, counters.EventsDelivered);
        Assert.Equal(0, counters.Lost + counters.Duplicates + counters.Reorders);
        // Every drop hits a poll in flight (back to back): sent again on a new connection, or failed and reconnected.
        Assert.True(counters.Reconnects >= 3, $"reconnects {counters.Reconnects}");
    }

    [Fact]
    public async Task RunAsync_ClientDisposedWhileAPollIsInFlight_EndsAsAStopNotAnError()
    {
        if (!Epoll.IsSupported)
        {
            return; // the event loop runs on Linux x86-64 only
        }

        // What ClosedLoadDriver does to a copy that did not stop within its StopTimeout: dispose it, token not fired.
        await using var target = await RunningTarget.StartAsync();
        var client = Create(target, new LatencyRecorders(), startAfter: 0);
        using var stop = new CancellationTokenSource();
        var run = client.RunAsync(stop.Token);
        await Wait.UntilAsync(() => client.Counters.Snapshot().Requests > 10, "polls on the loop");

        await client.DisposeAsync();

        // Back to back, a poll is in flight: the run ends (the session hears "cancelled") instead of waiting for ever.
        await run.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(0, client.Counters.Snapshot().ErrorCount);
    }
}
