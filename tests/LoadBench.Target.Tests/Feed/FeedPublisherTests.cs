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

        // Advance the fake clock in 10 ms steps, giving the publisher a moment of real time after each. It may
        // take its start time one step late (it starts on another thread), hence the tolerance of one event.
        for (var step = 0; step < 200; step++)
        {
            time.Advance(TimeSpan.FromMilliseconds(10));
            await Task.Delay(2);
        }

        await TestSupport.Wait.UntilAsync(() => log.LatestSeq >= 19, "about 20 events after 2 s of clock");
        Assert.InRange(log.LatestSeq, 19, 20);
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
