using LoadBench.Contracts;
using LoadBench.Engine.Running;

namespace LoadBench.Engine.Tests.Running;

/// <summary>The wait before a scenario's "before" reading: until the target's feed connections are all closed, or its
/// bound. (The single-process executor and the distributed coordinator both use it.)</summary>
public sealed class PreviousStreamsTests
{
    [Fact]
    public async Task Wait_EndsAtTheFirstReadingWithNoFeedConnectionOpen_NotBefore()
    {
        // Two readings with SSE streams still open, then none; requests of "other" (the control routes) and another
        // run's WebSocket streams do not count.
        var target = new ClosingTarget(openReadings: 2);

        var ended = await PreviousStreams.WaitUntilEndedAsync(target, TransportIds.Sse, CancellationToken.None, TimeSpan.FromSeconds(30));

        Assert.True(ended);
        Assert.Equal(3, target.Readings);
    }

    [Fact]
    public async Task Wait_ATargetThatNeverGetsToZero_EndsAtTheBound_SayingSo()
    {
        var target = new ClosingTarget(openReadings: int.MaxValue);

        var ended = await PreviousStreams.WaitUntilEndedAsync(target, TransportIds.Sse, CancellationToken.None, TimeSpan.FromMilliseconds(250));

        Assert.False(ended);
        Assert.InRange(target.Readings, 2, 100);
    }

    /// <summary>Reports one open SSE stream for its first <c>openReadings</c> stats readings, then none.</summary>
    private sealed class ClosingTarget(int openReadings) : ITargetApi
    {
        public int Readings { get; private set; }

        public Uri BaseUri { get; } = new("http://127.0.0.1:9/");

        public Task<StatsSnapshot> GetStatsAsync(CancellationToken cancellationToken)
        {
            var open = Readings++ < openReadings ? 1 : 0;
            return Task.FromResult(new StatsSnapshot(
                new Dictionary<string, TransportStats>
                {
                    [TransportIds.Sse] = new(open, 0, 0, 0, 0, 0, 0),
                    [TransportIds.WebSocket] = new(8000, 0, 0, 0, 0, 0, 0),
                    ["other"] = new(1, 0, 0, 0, 0, 0, 0),
                },
                new ProcessStats(0, 0, 0, 2)));
        }

        public Task<StatsSnapshot> GetStatsAfterFullCollectionAsync(CancellationToken cancellationToken) => GetStatsAsync(cancellationToken);

        public Task<FeedInfo> GetInfoAsync(CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<FeedInfo> PutSettingsAsync(FeedSettings settings, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<FaultRecord> PostFaultAsync(FaultRequest fault, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<FaultRecord>> GetFaultsAsync(CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
