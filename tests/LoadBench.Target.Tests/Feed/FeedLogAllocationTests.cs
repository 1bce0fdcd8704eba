using System.Runtime.CompilerServices;
using LoadBench.Target.Feed;
using Xunit.Abstractions;

namespace LoadBench.Target.Tests.Feed;

/// <summary>
/// Following the feed costs no allocation per event, epoch check included: every subscriber gets every event,
/// so a few bytes per event per subscriber would be the target's largest cost at scale.
/// </summary>
public sealed class FeedLogAllocationTests(ITestOutputHelper output)
{
    private const int Events = 10_000;

    [Fact]
    public void FeedItem_IsSixteenBytes()
    {
        Assert.Equal(16, Unsafe.SizeOf<FeedItem>());
    }

    [Fact]
    public async Task FollowAsync_ThroughEventsAlreadyPublished_AllocatesNothingPerEvent()
    {
        var (log, _) = FeedLogFollowTests.NewLog(retention: Events);
        FeedLogFollowTests.Publish(log, Events);
        // Once to compile and tier up, then measured: each MoveNextAsync completes synchronously here (the
        // events are there), so the current thread's allocation counter sees all the follow loop does.
        Assert.Equal(Events, await FollowAllAsync(log));

        var before = GC.GetAllocatedBytesForCurrentThread();
        var followed = FollowAllSynchronously(log, out var after);

        output.WriteLine($"Following {Events} events allocated {after - before} bytes in all.");
        Assert.Equal(Events, followed);
        // The enumerator and its state machine: a few hundred bytes for the whole follow, not per event.
        Assert.InRange(after - before, 0, 2_000);
    }

    private static async Task<int> FollowAllAsync(FeedLog log)
    {
        var count = 0;
        await using var follow = log.FollowAsync(0, log.Epoch).GetAsyncEnumerator();
        while (count < Events && await follow.MoveNextAsync())
        {
            count++;
        }

        return count;
    }

    private static int FollowAllSynchronously(FeedLog log, out long allocatedAfter)
    {
        // No assertion inside the loop: the checks are counted and judged after the measurement.
        var count = 0;
        var wrong = 0;
        var follow = log.FollowAsync(0, log.Epoch).GetAsyncEnumerator();
        while (count < Events)
        {
            if (!MovedAtOnce(follow.MoveNextAsync()) || follow.Current.Kind != FeedItemKind.Event)
            {
                wrong++;
            }

            count++;
        }

        allocatedAfter = GC.GetAllocatedBytesForCurrentThread();
        Assert.Equal(0, wrong);
        Assert.True(DoneAtOnce(follow.DisposeAsync()));
        return count;
    }

    private static bool MovedAtOnce(ValueTask<bool> step) => step.IsCompletedSuccessfully && step.Result;

    private static bool DoneAtOnce(ValueTask step) => step.IsCompletedSuccessfully;
}
