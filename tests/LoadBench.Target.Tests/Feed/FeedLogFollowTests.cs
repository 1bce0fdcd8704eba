using LoadBench.Target.Feed;
using Microsoft.Extensions.Time.Testing;

namespace LoadBench.Target.Tests.Feed;

/// <summary><see cref="FeedLog.FollowAsync"/>: the one loop SSE and WebSocket project.</summary>
public sealed class FeedLogFollowTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    internal static (FeedLog Log, FakeTimeProvider Time) NewLog(int retention = 100, int delayMs = 0)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));
        return (new FeedLog(time, new TargetOptions { Retention = retention, PayloadBytes = 8, RatePerSecond = 0, DeliveryDelayMs = delayMs }), time);
    }

    internal static void Publish(FeedLog log, int count)
    {
        for (var i = 0; i < count; i++)
        {
            log.Publish();
        }
    }

    internal static async Task<long> NextSeqAsync(IAsyncEnumerator<FeedItem> follow)
    {
        Assert.True(await follow.MoveNextAsync().AsTask().WaitAsync(Patience));
        Assert.Equal(FeedItemKind.Event, follow.Current.Kind);
        return follow.Current.Event!.Seq;
    }

    private static async Task<List<long>> NextSeqsAsync(IAsyncEnumerator<FeedItem> follow, int count)
    {
        var seqs = new List<long>();
        for (var i = 0; i < count; i++)
        {
            seqs.Add(await NextSeqAsync(follow));
        }

        return seqs;
    }

    [Fact]
    public async Task FollowAsync_FromACursor_YieldsEveryLaterEventInOrder_ThenWaitsForTheNextPublish()
    {
        var (log, _) = NewLog();
        Publish(log, 5);
        await using var follow = log.FollowAsync(after: 2).GetAsyncEnumerator();

        Assert.Equal([3L, 4L, 5L], await NextSeqsAsync(follow, 3));
        var waiting = follow.MoveNextAsync().AsTask();
        await Task.Delay(50);
        Assert.False(waiting.IsCompleted);

        var sixth = log.Publish();
        Assert.True(await waiting.WaitAsync(Patience));
        Assert.Same(sixth, follow.Current.Event);
        Publish(log, 2);
        Assert.Equal([7L, 8L], await NextSeqsAsync(follow, 2));
    }

    [Fact]
    public async Task FollowAsync_FromZero_StartsAtTheOldestRetainedEvent()
    {
        var (log, _) = NewLog(retention: 3);
        Publish(log, 5);
        await using var follow = log.FollowAsync(after: 0).GetAsyncEnumerator();

        Assert.Equal([3L, 4L, 5L], await NextSeqsAsync(follow, 3));
    }

    [Fact]
    public async Task FollowAsync_FromZero_OnAnEmptyFeed_GetsTheFirstEvent()
    {
        var (log, _) = NewLog();
        await using var follow = log.FollowAsync(after: 0).GetAsyncEnumerator();
        var waiting = follow.MoveNextAsync().AsTask();
        Assert.False(waiting.IsCompleted);

        log.Publish();
        Assert.True(await waiting.WaitAsync(Patience));
        Assert.Equal(1, follow.Current.Event!.Seq);
    }

    [Fact]
    public async Task FollowAsync_CursorBehindRetention_YieldsOneGone_ThenEnds()
    {
        var (log, _) = NewLog(retention: 3);
        Publish(log, 10);
        await using var follow = log.FollowAsync(after: 2).GetAsyncEnumerator();

        Assert.True(await follow.MoveNextAsync());
        Assert.Equal(FeedItem.Gone(after: 2, oldestSeq: 8), follow.Current);
        Assert.Null(follow.Current.Event);
        Assert.False(await follow.MoveNextAsync());
    }

    [Fact]
    public async Task FollowAsync_FallingBehindWhileFollowing_YieldsOneGoneFromItsCursor_ThenEnds()
    {
        var (log, _) = NewLog(retention: 3);
        Publish(log, 2);
        await using var follow = log.FollowAsync(after: 0).GetAsyncEnumerator();
        Assert.Equal(1, await NextSeqAsync(follow));

        // Seq 2 is overwritten before the follower asks for it: 7, 8, 9 are retained.
        Publish(log, 7);

        Assert.True(await follow.MoveNextAsync());
        Assert.Equal(FeedItem.Gone(after: 1, oldestSeq: 7), follow.Current);
        Assert.False(await follow.MoveNextAsync());
    }

    [Fact]
    public async Task FollowAsync_UnderADeliveryDelay_YieldsTheEventWhenItIsDue()
    {
        var (log, time) = NewLog(delayMs: 20);
        await using var follow = log.FollowAsync(after: 0).GetAsyncEnumerator();
        log.Publish();
        var waiting = follow.MoveNextAsync().AsTask();

        time.Advance(TimeSpan.FromMilliseconds(19));
        await Task.Delay(50);
        Assert.False(waiting.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.True(await waiting.WaitAsync(Patience));
        Assert.Equal(1, follow.Current.Event!.Seq);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task FollowAsync_CancelledWhileWaiting_ThrowsAndEnds(bool throughEnumeratorToken)
    {
        var (log, _) = NewLog();
        using var cancellation = new CancellationTokenSource();
        var follow = throughEnumeratorToken
            ? log.FollowAsync(after: 0).GetAsyncEnumerator(cancellation.Token)
            : log.FollowAsync(after: 0, cancellation.Token).GetAsyncEnumerator();
        var waiting = follow.MoveNextAsync().AsTask();
        Assert.False(waiting.IsCompleted);

        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(Patience));
        log.Publish();
        Assert.False(await follow.MoveNextAsync());
        await follow.DisposeAsync();
    }

    [Fact]
    public async Task FollowAsync_Cancelled_EndsEvenWithEventsReady()
    {
        var (log, _) = NewLog();
        Publish(log, 3);
        using var cancellation = new CancellationTokenSource();
        await using var follow = log.FollowAsync(after: 0, cancellation.Token).GetAsyncEnumerator();
        Assert.Equal(1, await NextSeqAsync(follow));

        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => follow.MoveNextAsync().AsTask());
        Assert.False(await follow.MoveNextAsync());
    }

    [Fact]
    public void FollowAsync_NegativeCursor_IsRefusedAtTheCall()
    {
        var (log, _) = NewLog();
        Assert.Throws<ArgumentOutOfRangeException>(() => log.FollowAsync(after: -1));
    }
}
