using System.Net.Http.Json;
using LoadBench.Contracts;
using LoadBench.Engine.Metrics;
using LoadBench.Engine.Tests.TestSupport;
using LoadBench.Engine.Transports;

namespace LoadBench.Engine.Tests.Transports;

/// <summary>
/// The contract every transport client keeps, checked against the real target: same feed, same expectations.
/// Each transport's test class derives from this and names its transport; nothing else differs.
/// </summary>
public abstract class FeedClientContract
{
    protected abstract string Transport { get; }

    /// <summary>Whether a drop is certain to hit an open request (streams and long polls always have one open).</summary>
    protected virtual bool DropAlwaysInterruptsARequest => true;

    /// <summary>
    /// Short polling's pause between polls. The byte comparison with the target needs the client idle when it
    /// stops: a poll cancelled in flight leaves a response the target wrote and the client never read.
    /// </summary>
    protected virtual TimeSpan PollInterval => TimeSpan.Zero;

    private IFeedClient Create(RunningTarget target, LatencyRecorders recorders, long startAfter, string? epoch = null) =>
        FeedClientFactory.Create(new FeedClientOptions(target.BaseAddress, Transport, recorders)
        {
            StartAfter = startAfter,
            Epoch = epoch,
            PollInterval = PollInterval,
            LongPollTimeout = TimeSpan.FromSeconds(5),
        });

    [Fact]
    public async Task RunAsync_EventsPublished_ArriveOnceInOrderWithLatencyAndExactBytes()
    {
        await using var target = await RunningTarget.StartAsync();
        target.Publish(3); // before the start cursor: must not be delivered
        var recorders = new LatencyRecorders();
        await using var client = Create(target, recorders, startAfter: target.Log.LatestSeq);
        using var stop = new CancellationTokenSource();
        var run = client.RunAsync(stop.Token);

        var lengths = new List<int>();
        for (var i = 0; i < 20; i++)
        {
            lengths.AddRange(target.Publish(1).Select(json => json.Length)); // ASCII: one byte a char
            await Task.Delay(5);
        }

        await Wait.UntilAsync(() => client.Cursor == 23, "the client to reach seq 23");
        await stop.CancelAsync();
        await run; // returns cleanly on cancellation

        var counters = client.Counters.Snapshot();
        Assert.Equal(20, counters.EventsDelivered);
        Assert.Equal(0, counters.Lost + counters.Duplicates + counters.Reorders);
        Assert.Equal(20, recorders.Event.GetIntervalHistogram().TotalCount);
        // Payload is exactly the published JSON, and the three parts add up to every byte on the socket.
        Assert.Equal(lengths.Sum(), counters.PayloadBytes);
        Assert.Equal(counters.SocketBytesRead + counters.SocketBytesWritten, counters.PayloadBytes + counters.FramingBytes + counters.HeaderBytes);
        Assert.True(counters.HeaderBytes > 0 && counters.FramingBytes > 0, $"headers {counters.HeaderBytes}, framing {counters.FramingBytes}");

        // The target counted the same connection on its side of the socket: an independent truth.
        TransportStats? mine = null;
        try
        {
            await Wait.UntilAsync(
                () =>
                {
                    var stats = target.Http.GetFromJsonAsync(FeedRoutes.Stats, ContractsJson.Default.StatsSnapshot).GetAwaiter().GetResult()!;
                    mine = stats.Transports[Transport];
                    return mine.BytesRead == counters.SocketBytesWritten && mine.BytesWritten == counters.SocketBytesRead
                        && mine.PayloadBytes == counters.PayloadBytes;
                },
                "the target's socket counts for this transport to equal the client's");
        }
        catch (Exception) when (mine is not null)
        {
            Assert.Fail($"target {mine}; client read {counters.SocketBytesRead} written {counters.SocketBytesWritten} payload {counters.PayloadBytes} headers {counters.HeaderBytes}");
        }

        // Both sides find heads by scanning their own socket bytes; they must agree to the byte.
        Assert.Equal(mine!.HeaderBytes, counters.HeaderBytes);
    }

    [Fact]
    public async Task RunAsync_TargetDropsConnections_ReconnectsAndLosesNothing()
    {
        await using var target = await RunningTarget.StartAsync();
        await using var client = Create(target, new LatencyRecorders(), startAfter: 0);
        using var stop = new CancellationTokenSource();
        var run = client.RunAsync(stop.Token);

        target.Publish(5);
        await Wait.UntilAsync(() => client.Cursor == 5, "the first five events");
        await Wait.UntilAsync(
            () => target.Http.PostAsync(FeedRoutes.DropConnections, null).GetAwaiter().GetResult().IsSuccessStatusCode
                && (!DropAlwaysInterruptsARequest || client.Counters.Snapshot().ErrorCount > 0),
            "a drop that the client noticed");
        target.Publish(5); // published while the client may still be reconnecting
        await Wait.UntilAsync(() => client.Cursor == 10, "the five events after the drop");
        target.Publish(2);
        await Wait.UntilAsync(() => client.Cursor == 12, "events on the new connection");
        await stop.CancelAsync();
        await run;

        var counters = client.Counters.Snapshot();
        Assert.Equal(12, counters.EventsDelivered);
        Assert.Equal(0, counters.Lost + counters.Duplicates + counters.Reorders);
        if (DropAlwaysInterruptsARequest)
        {
            Assert.True(counters.Reconnects >= 1, $"reconnects {counters.Reconnects}");
        }
    }

    [Fact]
    public async Task RunAsync_CursorOlderThanRetention_ReportsGoneAndCountsTheLoss()
    {
        await using var target = await RunningTarget.StartAsync("--retention", "10");
        target.Publish(30); // retained: 21..30
        await using var client = Create(target, new LatencyRecorders(), startAfter: 1);
        using var stop = new CancellationTokenSource();
        var run = client.RunAsync(stop.Token);

        await Wait.UntilAsync(() => client.Cursor == 30, "the retained events after the gone signal");
        await stop.CancelAsync();
        await run;

        var counters = client.Counters.Snapshot();
        Assert.Equal(1, counters.GoneSignals);
        Assert.Equal(10, counters.EventsDelivered); // 21..30
        Assert.Equal(19, counters.Lost);            // 2..20: never silent
        Assert.Equal(0, counters.Duplicates + counters.Reorders);
    }

    [Fact]
    public async Task RunAsync_FeedRestarts_CountsOneResetAndStartsAgainWithoutLossOrDuplicates()
    {
        await using var target = await RunningTarget.StartAsync();
        var recorders = new LatencyRecorders();
        var info = await target.InfoAsync();
        await using var client = Create(target, recorders, startAfter: info.LatestSeq, epoch: info.Epoch);
        using var stop = new CancellationTokenSource();
        var run = client.RunAsync(stop.Token);

        target.Publish(5);
        await Wait.UntilAsync(() => client.Cursor == 5, "the first five events");
        var oldEpoch = info.Epoch;
        var newEpoch = target.Log.Restart();
        target.Publish(3); // the new epoch's 1..3: below the old cursor, so only a reset lets the client take them
        await Wait.UntilAsync(() => client.Counters.Snapshot().Resets == 1 && client.Cursor == 3, "the reset and the new epoch's three events");
        target.Publish(2);
        await Wait.UntilAsync(() => client.Cursor == 5, "two more events of the new epoch");
        await stop.CancelAsync();
        await run;

        var counters = client.Counters.Snapshot();
        Assert.NotEqual(oldEpoch, newEpoch);
        Assert.Equal(1, counters.Resets);
        Assert.Equal(10, counters.EventsDelivered);
        Assert.Equal(0, counters.Lost + counters.Duplicates + counters.Reorders);
        // The reset is a cut of its own: one time to recover, from the reset to the new epoch's first event.
        Assert.Equal(1, recorders.Recovery.GetIntervalHistogram().TotalCount);
    }
}
