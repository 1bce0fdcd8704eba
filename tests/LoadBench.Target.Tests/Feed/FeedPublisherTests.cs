using LoadBench.Target.Feed;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace LoadBench.Target.Tests.Feed;

public sealed class FeedPublisherTests
{
    [Fact]
    public async Task Publisher_AtTenPerSecond_PublishesTenEventsPerSecondOfClock()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddYears(56));
        var log = new FeedLog(time, new TargetOptions { RatePerSecond = 10 });
        using var publisher = new FeedPublisher(log, time, NullLogger<FeedPublisher>.Instance);
        await publisher.StartAsync(CancellationToken.None);

        // Step the clock until the first event: the publisher starts on another thread, whenever it gets there,
        // so its schedule begins at an unknown step. The first event marks it (100 ms of clock after its start).
        for (var steps = 0; log.LatestSeq == 0; steps++)
        {
            Assert.True(steps < 2_000, "the publisher never published");
            time.Advance(TimeSpan.FromMilliseconds(10));
            await Task.Delay(2);
        }

        // From the first event on, 1.9 s more of clock is exactly 19 more events at 10 per second: the first came
        // between 100 and 110 ms after the start, so the clock now stands between 2,000 and 2,010 ms.
        for (var step = 0; step < 190; step++)
        {
            time.Advance(TimeSpan.FromMilliseconds(10));
            await Task.Delay(2);
        }

        await TestSupport.Wait.UntilAsync(() => log.LatestSeq >= 20, "20 events after 2 s of clock");
        Assert.Equal(20, log.LatestSeq);
        await publisher.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Publisher_Paused_PublishesNothing_UntilRateIsSet()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddYears(56));
        var log = new FeedLog(time, new TargetOptions { RatePerSecond = 0 });
        using var publisher = new FeedPublisher(log, time, NullLogger<FeedPublisher>.Instance);
        await publisher.StartAsync(CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(5));
        await Task.Delay(50);
        Assert.Equal(0, log.LatestSeq);

        log.UpdateSettings(100, null, null);
        for (var i = 0; i < 20 && log.LatestSeq < 10; i++)
        {
            await Task.Delay(20);
            time.Advance(TimeSpan.FromMilliseconds(10));
        }

        await TestSupport.Wait.UntilAsync(() => log.LatestSeq >= 10, "publishing after the rate was set");
        await publisher.StopAsync(CancellationToken.None);
    }
}
