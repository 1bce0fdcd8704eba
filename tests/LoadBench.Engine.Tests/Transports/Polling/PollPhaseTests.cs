using LoadBench.Contracts;
using LoadBench.Engine.Metrics;
using LoadBench.Engine.Tests.TestSupport;
using LoadBench.Engine.Transports;
using Microsoft.Extensions.Time.Testing;

namespace LoadBench.Engine.Tests.Transports.Polling;

/// <summary>A short-polling client's first poll waits its drawn part of the interval (interval × the randomizer's
/// number), so clients started at one tick spread over the interval instead of polling in step; long polling, which
/// has no pause, asks at once.</summary>
public sealed class PollPhaseTests
{
    [Fact]
    public async Task RunAsync_ShortPolling_FirstPollWaitsTheDrawnPartOfTheInterval()
    {
        await using var stub = StubFeed.Serve(TransportIds.Polling, [(1, StubFeed.Event(1, StubFeed.NowMicros - 1000, "x"))]);
        var time = new FakeTimeProvider(StubFeed.Now);
        await using var client = FeedClientFactory.Create(new FeedClientOptions(stub.BaseUri, TransportIds.Polling, new LatencyRecorders())
        {
            TimeProvider = time,
            PollInterval = TimeSpan.FromSeconds(10),
            Randomizer = () => 0.25,
        });
        using var stop = new CancellationTokenSource();
        var run = client.RunAsync(stop.Token);

        // Real time passes while the fake clock stands 1 ms short of the phase: no connection, no poll.
        time.Advance(TimeSpan.FromMilliseconds(2_499));
        await Task.Delay(300);
        Assert.Equal(0, stub.ConnectionsAccepted);

        time.Advance(TimeSpan.FromMilliseconds(1));
        await Wait.UntilAsync(() => client.Cursor == 1, "the first poll after 2.5 s of a 10 s interval");

        await stop.CancelAsync();
        await run;
    }

    [Fact]
    public async Task RunAsync_LongPolling_AsksAtOnce()
    {
        await using var stub = StubFeed.Serve(TransportIds.LongPolling, [(1, StubFeed.Event(1, StubFeed.NowMicros - 1000, "x"))]);
        var time = new FakeTimeProvider(StubFeed.Now);
        await using var client = FeedClientFactory.Create(new FeedClientOptions(stub.BaseUri, TransportIds.LongPolling, new LatencyRecorders())
        {
            TimeProvider = time,
            Randomizer = () => 0.99,
        });
        using var stop = new CancellationTokenSource();
        var run = client.RunAsync(stop.Token);

        await Wait.UntilAsync(() => client.Cursor == 1, "the first long poll, with the fake clock never advanced");

        await stop.CancelAsync();
        await run;
    }
}
