using LoadBench.Target.Feed;

namespace LoadBench.Target.Tests.Feed;

/// <summary><see cref="FeedLog.Restart"/> and the epoch: a restarted feed never looks like the old one.</summary>
public sealed class FeedLogRestartTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public void Restart_NewEpoch_EmptyFeed_SeqFromOneAgain()
    {
        var (log, _) = FeedLogFollowTests.NewLog();
        FeedLogFollowTests.Publish(log, 5);
        var before = log.Epoch;

        var after = log.Restart();

        Assert.Matches("^[0-9a-f]{16}$", before);
        Assert.NotEqual(before, after);
        Assert.Equal(after, log.Epoch);
        Assert.Equal((0L, 0L), (log.OldestSeq, log.LatestSeq));
        Assert.Empty(log.Read(0, 10).Events);
        Assert.Equal(1, log.Publish().Seq);
        Assert.Equal(after, log.Read(0, 10).Epoch);
    }

    [Fact]
    public async Task FollowAsync_WithAStaleEpoch_YieldsOneReset_NamingTheCurrentEpoch_ThenEnds()
    {
        var (log, _) = FeedLogFollowTests.NewLog();
        var stale = log.Epoch;
        log.Restart();
        FeedLogFollowTests.Publish(log, 3);
        await using var follow = log.FollowAsync(after: 40, stale).GetAsyncEnumerator();

        Assert.True(await follow.MoveNextAsync().AsTask().WaitAsync(Patience));
        Assert.Equal((FeedItemKind.Reset, log.Epoch, 3L), (follow.Current.Kind, follow.Current.Epoch, follow.Current.LatestSeq));
        Assert.False(await follow.MoveNextAsync().AsTask().WaitAsync(Patience));
    }

    [Fact]
    public async Task FollowAsync_WithTheCurrentEpoch_FollowsAsWithout()
    {
        var (log, _) = FeedLogFollowTests.NewLog();
        FeedLogFollowTests.Publish(log, 3);
        await using var follow = log.FollowAsync(after: 1, log.Epoch).GetAsyncEnumerator();

        Assert.Equal(2, await FeedLogFollowTests.NextSeqAsync(follow));
        Assert.Equal(3, await FeedLogFollowTests.NextSeqAsync(follow));
    }

    [Fact]
    public async Task FollowAsync_FeedRestartsWhileWaiting_YieldsReset_ThenEnds()
    {
        var (log, _) = FeedLogFollowTests.NewLog();
        FeedLogFollowTests.Publish(log, 2);
        await using var follow = log.FollowAsync(after: 0).GetAsyncEnumerator();
        Assert.Equal(1, await FeedLogFollowTests.NextSeqAsync(follow));
        Assert.Equal(2, await FeedLogFollowTests.NextSeqAsync(follow));
        var waiting = follow.MoveNextAsync().AsTask();

        var epoch = log.Restart();

        Assert.True(await waiting.WaitAsync(Patience));
        Assert.Equal((FeedItemKind.Reset, epoch, 0L), (follow.Current.Kind, follow.Current.Epoch, follow.Current.LatestSeq));
        Assert.False(await follow.MoveNextAsync().AsTask().WaitAsync(Patience));
    }

    [Fact]
    public async Task FollowAsync_FeedRestartsWithEventsStillUnread_YieldsReset_NotTheNewEpochsEvents()
    {
        var (log, _) = FeedLogFollowTests.NewLog();
        FeedLogFollowTests.Publish(log, 3);
        await using var follow = log.FollowAsync(after: 0).GetAsyncEnumerator();
        Assert.Equal(1, await FeedLogFollowTests.NextSeqAsync(follow));

        log.Restart();
        FeedLogFollowTests.Publish(log, 5);

        Assert.True(await follow.MoveNextAsync().AsTask().WaitAsync(Patience));
        Assert.Equal(FeedItemKind.Reset, follow.Current.Kind);
        Assert.Equal(5, follow.Current.LatestSeq);
    }

    [Fact]
    public async Task WaitForEventAfterAsync_FeedRestarts_Completes()
    {
        var (log, _) = FeedLogFollowTests.NewLog();
        FeedLogFollowTests.Publish(log, 2);
        var waiting = log.WaitForEventAfterAsync(2, log.Epoch, CancellationToken.None);
        await Task.Delay(50);
        Assert.False(waiting.IsCompleted);

        log.Restart();

        // Completes (the waiter is free to read again and find the new epoch) rather than waiting for seq 3.
        await waiting.WaitAsync(Patience);
    }
}
