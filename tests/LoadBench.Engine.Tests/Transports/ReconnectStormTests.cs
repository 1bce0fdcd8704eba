using System.Net.Http.Json;
using LoadBench.Contracts;
using LoadBench.Engine.Metrics;
using LoadBench.Engine.Tests.TestSupport;
using LoadBench.Engine.Transports;

namespace LoadBench.Engine.Tests.Transports;

/// <summary>
/// A reconnect storm, small: 500 SSE and WebSocket subscribers dropped at once by the real target
/// (<c>POST /feed/drop-connections?count=500</c>) beside 20 that are not. Every dropped one comes back with full
/// jitter and loses nothing; the ones not dropped keep receiving without a reconnect. The full size (5,000, with
/// and without jitter, timed) is scenarios/bench/reconnect-storm.sh.
/// </summary>
public sealed class ReconnectStormTests
{
    private const int Kept = 20;
    private const int Dropped = 500;

    [Fact]
    public async Task Storm_500SubscribersDroppedAtOnce_AllComeBack_NothingLost_TheOthersKeepReceiving()
    {
        await using var target = await RunningTarget.StartAsync();
        var recorders = new LatencyRecorders();
        IFeedClient Create(int i) => FeedClientFactory.Create(
            new FeedClientOptions(target.BaseAddress, i % 2 == 0 ? TransportIds.Sse : TransportIds.WebSocket, recorders));
        var kept = Enumerable.Range(0, Kept).Select(Create).ToList();
        var stormed = Enumerable.Range(0, Dropped).Select(Create).ToList();
        var everyone = kept.Concat(stormed).ToList();
        using var stop = new CancellationTokenSource();
        var runs = new List<Task>();
        try
        {
            // The kept ones open first: a count-limited drop takes the newest connections.
            runs.AddRange(kept.Select(c => c.RunAsync(stop.Token)));
            await Wait.UntilAsync(() => OpenStreams(target) == Kept, "the kept subscribers to be connected", 30_000);
            runs.AddRange(stormed.Select(c => c.RunAsync(stop.Token)));
            await Wait.UntilAsync(() => OpenStreams(target) == Kept + Dropped, "every subscriber to be connected", 30_000);
            target.Publish(5);
            await Wait.UntilAsync(() => everyone.All(c => c.Cursor == 5), "every subscriber to have the first five events", 30_000);

            using var drop = await target.Http.PostAsync(FeedRoutes.DropConnections + $"?count={Dropped}", null);
            Assert.Equal($$"""{"dropped":{{Dropped}}}""", await drop.Content.ReadAsStringAsync());
            target.Publish(5); // while the storm reconnects
            await Wait.UntilAsync(() => everyone.All(c => c.Cursor == 10), "every subscriber to be back with the next five", 60_000);
            target.Publish(2);
            await Wait.UntilAsync(() => everyone.All(c => c.Cursor == 12), "events on the new connections", 30_000);
            Assert.Equal(Kept + Dropped, OpenStreams(target));
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(runs);
            foreach (var client in everyone)
            {
                await client.DisposeAsync();
            }
        }

        foreach (var (client, i) in everyone.Select((c, i) => (c, i)))
        {
            var counters = client.Counters.Snapshot();
            Assert.Equal(12, counters.EventsDelivered);
            Assert.Equal(0, counters.Lost + counters.Duplicates + counters.Reorders);
            if (i < Kept)
            {
                Assert.Equal(0, counters.Reconnects);
            }
            else
            {
                Assert.True(counters.Reconnects >= 1, $"subscriber {i} was dropped but did not reconnect");
            }
        }
    }

    private static long OpenStreams(RunningTarget target)
    {
        var stats = target.Http.GetFromJsonAsync(FeedRoutes.Stats, ContractsJson.Default.StatsSnapshot).GetAwaiter().GetResult()!;
        return stats.Transports[TransportIds.Sse].OpenConnections + stats.Transports[TransportIds.WebSocket].OpenConnections;
    }
}
