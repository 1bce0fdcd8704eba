using System.Globalization;
using System.Runtime;
using LoadBench.Target.Feed;

namespace LoadBench.Target.Tests.Feed;

/// <summary>Runs alone (no other test in parallel): its tests measure the whole process.</summary>
[CollectionDefinition(nameof(MeasuresProcessCpu), DisableParallelization = true)]
public sealed class MeasuresProcessCpu;

/// <summary>Waiting followers cost nothing: no CPU, no thread-pool work, until the next publish wakes them.</summary>
[Collection(nameof(MeasuresProcessCpu))]
public sealed class FeedLogFollowWaitTests
{
    private const int Followers = 100;
    private static readonly TimeSpan Window = TimeSpan.FromMilliseconds(100);

    [Fact]
    public async Task FollowAsync_WaitingForThePublish_SpendsNoCpu_AndEveryFollowerGetsIt()
    {
        // A first round runs every path once, so the measured round sees no JIT compiling them.
        await WaitThenPublishAsync(measure: false);
        await Task.Delay(TimeSpan.FromMilliseconds(300));

        await WaitThenPublishAsync(measure: true);
    }

    private static async Task WaitThenPublishAsync(bool measure)
    {
        var (log, _) = FeedLogFollowTests.NewLog();
        log.Publish();
        var follows = Enumerable.Range(0, Followers).Select(_ => log.FollowAsync(after: 0).GetAsyncEnumerator()).ToArray();
        foreach (var follow in follows)
        {
            Assert.Equal(1, await FeedLogFollowTests.NextSeqAsync(follow));
        }

        var waiting = follows.Select(f => f.MoveNextAsync().AsTask()).ToArray();
        if (measure)
        {
            await AssertQuietAsync();
        }

        Assert.DoesNotContain(waiting, w => w.IsCompleted);
        log.Publish();
        Assert.All(await Task.WhenAll(waiting).WaitAsync(TimeSpan.FromSeconds(10)), Assert.True);
        Assert.All(follows, f => Assert.Equal(2, f.Current.Event!.Seq));
        foreach (var follow in follows)
        {
            await follow.DisposeAsync();
        }
    }

    /// <summary>
    /// CPU in 100 ms windows while the followers wait. A follower that spun or polled would keep a core or the
    /// thread pool busy in every window. The runtime's own background work comes in bursts of tiered JIT
    /// compiling (tens of ms, on a test host that just started), so only windows without JIT work are judged,
    /// and their median: a quiet process spends about 1 ms in one.
    /// </summary>
    private static async Task AssertQuietAsync()
    {
        const int wantedQuietWindows = 5;
        const int maxWindows = 60;
        var quiet = new List<double>();
        var windows = 0;
        var workItemsBefore = ThreadPool.CompletedWorkItemCount;
        while (quiet.Count < wantedQuietWindows && windows < maxWindows)
        {
            var cpuBefore = Environment.CpuUsage.TotalTime;
            var jitBefore = JitInfo.GetCompilationTime();
            await Task.Delay(Window);
            windows++;
            if (JitInfo.GetCompilationTime() == jitBefore)
            {
                quiet.Add((Environment.CpuUsage.TotalTime - cpuBefore).TotalMilliseconds);
            }
        }

        var workItems = ThreadPool.CompletedWorkItemCount - workItemsBefore;
        quiet.Sort();
        var shown = $"{Followers} waiting followers, {windows} windows of 100 ms: CPU in those without JIT work (sorted) {string.Join(", ", quiet.Select(w => w.ToString("F1", CultureInfo.InvariantCulture)))} ms; {workItems} thread-pool work items";
        Assert.True(quiet.Count >= 3, shown);
        Assert.True(quiet[quiet.Count / 2] < 5, shown);
        // About 2 a window when idle (the window's own timer); a follower polling every millisecond adds 100.
        Assert.True(workItems < 10 * windows, shown);
    }
}
