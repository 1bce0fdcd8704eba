using LoadBench.Target.Feed;
using Microsoft.Extensions.Time.Testing;

namespace LoadBench.Target.Tests.SlowConsumers;

/// <summary>
/// The slow-consumer rule in <see cref="FeedLog.FollowAsync(long, CancellationToken)"/>, on a fake clock: what
/// counts as behind, and what does not (a backlog asked for on purpose, a follower that is caught up).
/// </summary>
public sealed class SlowConsumerRuleTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private static (FeedLog Log, FakeTimeProvider Time) NewLog(int maxLagEvents, double maxLagSeconds, int delayMs = 0)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero));
        return (new FeedLog(time, new TargetOptions
        {
            Retention = 1000, PayloadBytes = 8, RatePerSecond = 0, DeliveryDelayMs = delayMs,
            SlowConsumerMaxLagEvents = maxLagEvents, SlowConsumerMaxLagSeconds = maxLagSeconds,
        }), time);
    }

    private static void Publish(FeedLog log, int count)
    {
        for (var i = 0; i < count; i++)
        {
            log.Publish();
        }
    }

    private static async Task<FeedItem> NextAsync(IAsyncEnumerator<FeedItem> follow)
    {
        Assert.True(await follow.MoveNextAsync().AsTask().WaitAsync(Patience));
        return follow.Current;
    }

    [Fact]
    public async Task Follow_MoreThanTheEventBoundPublishedPastItsCursor_EndsWithTooSlow_NamingCursorAndLatest()
    {
        var (log, _) = NewLog(maxLagEvents: 3, maxLagSeconds: 0);
        await using var follow = log.FollowAsync(after: 0).GetAsyncEnumerator();
        log.Publish();
        Assert.Equal(1, (await NextAsync(follow)).Event!.Seq);

        Publish(log, 3); // 3 behind: at the bound, not past it
        Assert.Equal(2, (await NextAsync(follow)).Event!.Seq);
        Publish(log, 2); // cursor 2, latest 6: 4 behind

        var item = await NextAsync(follow);
        Assert.Equal(FeedItemKind.TooSlow, item.Kind);
        Assert.Equal(2, item.After);
        Assert.Equal(6, item.LatestSeq);
        Assert.False(await follow.MoveNextAsync()); // always the last item
    }

    [Fact]
    public async Task Follow_ABacklogAskedForOnPurpose_IsNotLag_OnlyWhatIsPublishedAfterItsStartCounts()
    {
        var (log, _) = NewLog(maxLagEvents: 3, maxLagSeconds: 0);
        Publish(log, 50);
        await using var follow = log.FollowAsync(after: 0).GetAsyncEnumerator(); // 50 behind, by choice

        for (var seq = 1; seq <= 10; seq++)
        {
            Assert.Equal(seq, (await NextAsync(follow)).Event!.Seq);
        }

        Publish(log, 3); // 3 published since it started: at the bound
        Assert.Equal(11, (await NextAsync(follow)).Event!.Seq);
        log.Publish(); // 4: past it, though it still reads the backlog

        var item = await NextAsync(follow);
        Assert.Equal(FeedItemKind.TooSlow, item.Kind);
        Assert.Equal(11, item.After);
    }

    [Fact]
    public async Task Follow_OldestUndeliveredVisibleLongerThanTheTimeBound_WithALaterEvent_EndsWithTooSlow()
    {
        var (log, time) = NewLog(maxLagEvents: 0, maxLagSeconds: 5);
        await using var follow = log.FollowAsync(after: 0).GetAsyncEnumerator();
        Publish(log, 3);
        Assert.Equal(1, (await NextAsync(follow)).Event!.Seq);

        time.Advance(TimeSpan.FromSeconds(5)); // event 2 visible for exactly 5 s, event 3 after it: not past the bound
        Assert.Equal(2, (await NextAsync(follow)).Event!.Seq);
        time.Advance(TimeSpan.FromMilliseconds(1));
        log.Publish(); // event 3, visible for 5.001 s, has a later one

        var item = await NextAsync(follow);
        Assert.Equal(FeedItemKind.TooSlow, item.Kind);
        Assert.Equal(2, item.After);
        Assert.Equal(4, item.LatestSeq);
    }

    [Fact]
    public async Task Follow_CaughtUpOnAnOldEvent_IsNotBehind_AndTheDeliveryDelayIsNotLag()
    {
        var (log, time) = NewLog(maxLagEvents: 0, maxLagSeconds: 1, delayMs: 3000);
        await using var follow = log.FollowAsync(after: 0).GetAsyncEnumerator();
        Publish(log, 2);
        time.Advance(TimeSpan.FromSeconds(3.5)); // both visible 0.5 s ago, after being held back 3 s
        Assert.Equal(1, (await NextAsync(follow)).Event!.Seq);
        Assert.Equal(2, (await NextAsync(follow)).Event!.Seq);

        time.Advance(TimeSpan.FromMinutes(10)); // the latest, however old, with nothing after it
        log.Publish();
        time.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal(3, (await NextAsync(follow)).Event!.Seq);
    }

    [Fact]
    public async Task Follow_BoundsOff_NeverTooSlow()
    {
        var (log, time) = NewLog(maxLagEvents: 0, maxLagSeconds: 0);
        await using var follow = log.FollowAsync(after: 0).GetAsyncEnumerator();
        Publish(log, 500);
        time.Advance(TimeSpan.FromHours(1));

        for (var seq = 1; seq <= 500; seq++)
        {
            Assert.Equal(seq, (await NextAsync(follow)).Event!.Seq);
        }
    }
}
