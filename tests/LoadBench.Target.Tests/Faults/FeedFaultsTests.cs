using LoadBench.Contracts;
using LoadBench.Target.Faults;
using LoadBench.Target.Feed;
using LoadBench.Target.Stats;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace LoadBench.Target.Tests.Faults;

/// <summary>
/// <see cref="FeedFaults"/> on a fake clock and connections the test controls, so counts are exact: how many
/// an abort takes each second, how many a stall holds, when each ends.
/// </summary>
public sealed class FeedFaultsTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);

    private static (FeedFaults Faults, FeedConnections Connections, FakeTimeProvider Time, FeedLog Log) NewFaults()
    {
        var time = new FakeTimeProvider(Start);
        var log = new FeedLog(time, new TargetOptions { RatePerSecond = 0, PayloadBytes = 4, Retention = 100 });
        var connections = new FeedConnections();
        return (new FeedFaults(log, connections, new FeedSockets(), time, NullLogger<FeedFaults>.Instance), connections, time, log);
    }

    /// <summary>For the abort fault, which cuts TCP connections that carried a feed request (idle pollers too).</summary>
    private static (FeedFaults Faults, FeedSockets Sockets, FakeTimeProvider Time) NewAbortFaults(int open)
    {
        var time = new FakeTimeProvider(Start);
        var log = new FeedLog(time, new TargetOptions { RatePerSecond = 0, PayloadBytes = 4, Retention = 100 });
        var sockets = new FeedSockets();
        for (var i = 0; i < open; i++)
        {
            sockets.Add(new DefaultConnectionContext($"c{i}"));
        }

        return (new FeedFaults(log, new FeedConnections(), sockets, time, NullLogger<FeedFaults>.Instance), sockets, time);
    }

    /// <summary>A request that ends when it is aborted, as a real one does (here at once, so each tick sees the last one's effect).</summary>
    private static List<FeedConnection> Open(FeedConnections connections, int count, bool streaming)
    {
        var opened = new List<FeedConnection>();
        for (var i = 0; i < count; i++)
        {
            var lifetime = new EndsOnAbort();
            var context = new DefaultHttpContext();
            context.Features.Set<IHttpRequestLifetimeFeature>(lifetime);
            lifetime.Connection = connections.Track(context, streaming);
            opened.Add(lifetime.Connection);
        }

        return opened;
    }

    [Fact]
    public void Abort_EachSecond_AbortsTheFractionOfWhatIsOpen_CarryingTheRemainder_UntilTheDurationEnds()
    {
        var (faults, connections, time) = NewAbortFaults(open: 20);

        var record = faults.Inject(new FaultRequest(FaultKinds.Abort, 0.25, 3000));

        // Tick at 0 s: ⌊0.25 × 20⌋ = 5.
        Assert.Equal(15, connections.Count);
        time.Advance(TimeSpan.FromSeconds(1));
        // 1 s: 0.25 × 15 = 3.75 → 3, carry 0.75.
        Assert.Equal(12, connections.Count);
        time.Advance(TimeSpan.FromSeconds(1));
        // 2 s: 0.75 + 0.25 × 12 = 3.75 → 3.
        Assert.Equal(9, connections.Count);
        time.Advance(TimeSpan.FromSeconds(5));
        // 3 s is the end: three ticks in 3,000 ms, then nothing more.
        Assert.Equal(9, connections.Count);
        Assert.Equal((FaultKinds.Abort, 0.25), (record.Kind, record.Fraction));
        Assert.Equal(3_000_000, record.EndUnixMicros - record.StartUnixMicros);
    }

    [Fact]
    public void Abort_ASmallFractionOfFewConnections_StillAbortsOnAverage()
    {
        var (faults, connections, time) = NewAbortFaults(open: 50);

        faults.Inject(new FaultRequest(FaultKinds.Abort, 0.01, 10_000));
        for (var second = 1; second < 10; second++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
        }

        // 0.5 a second on average without rounding to zero: the carried remainder reaches 1 every other second or so.
        Assert.InRange(50 - connections.Count, 4, 5);
    }

    [Theory]
    [InlineData(1.0, 4)]
    [InlineData(0.5, 2)]
    [InlineData(0.1, 0)]
    [InlineData(0.125, 1)]
    public async Task Stall_HoldsRoundFractionOfTheStreamingSubscribers_UntilItsEnd(double fraction, int stalled)
    {
        var (faults, connections, time, _) = NewFaults();
        var streaming = Open(connections, 4, streaming: true);
        var polls = Open(connections, 3, streaming: false);

        var record = faults.Inject(new FaultRequest(FaultKinds.Stall, fraction, 5000));

        var waits = streaming.Concat(polls).Select(c => c.WhileStalledAsync(CancellationToken.None).AsTask()).ToArray();
        Assert.Equal(stalled, waits.Count(w => !w.IsCompleted));
        Assert.All(waits.Skip(streaming.Count), w => Assert.True(w.IsCompleted));
        time.Advance(TimeSpan.FromMilliseconds(4999));
        Assert.Equal(stalled, waits.Count(w => !w.IsCompleted));
        time.Advance(TimeSpan.FromMilliseconds(1));
        await Task.WhenAll(waits).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(5_000_000, record.EndUnixMicros - record.StartUnixMicros);
    }

    [Fact]
    public void Pause_RecordsThePausedPeriod_TheScheduledPublishRefusedInsideIt()
    {
        var (faults, _, time, log) = NewFaults();

        var record = faults.Inject(new FaultRequest(FaultKinds.Pause, DurationMs: 2000));

        Assert.Equal(Start.ToUnixTimeMilliseconds() * 1000, record.StartUnixMicros);
        Assert.Equal(record.StartUnixMicros + 2_000_000, record.EndUnixMicros);
        Assert.False(log.TryPublishScheduled());
        time.Advance(TimeSpan.FromMilliseconds(1999));
        Assert.False(log.TryPublishScheduled());
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(log.TryPublishScheduled());
        Assert.Equal(1, log.LatestSeq);
    }

    [Fact]
    public void Restart_And_DropAll_HappenAtOnce_AndEveryFaultIsRecorded_InOrder()
    {
        var (faults, connections, _, log) = NewFaults();
        Open(connections, 3, streaming: true);
        log.Publish();
        var epoch = log.Epoch;

        faults.Inject(new FaultRequest(FaultKinds.Restart));
        faults.Inject(new FaultRequest(FaultKinds.DropAll));

        Assert.NotEqual(epoch, log.Epoch);
        Assert.Equal(0, log.LatestSeq);
        Assert.Equal(0, connections.Count);
        Assert.Equal([(1, FaultKinds.Restart), (2, FaultKinds.DropAll)], faults.Records().Select(r => (r.Id, r.Kind)));
        Assert.All(faults.Records(), r => Assert.Equal(r.StartUnixMicros, r.EndUnixMicros));
    }

    [Fact]
    public void Records_KeepTheLastThousand()
    {
        var (faults, _, _, _) = NewFaults();
        for (var i = 0; i < FeedFaults.Kept + 5; i++)
        {
            faults.Inject(new FaultRequest(FaultKinds.DropAll));
        }

        var records = faults.Records();
        Assert.Equal(FeedFaults.Kept, records.Length);
        Assert.Equal((6, FeedFaults.Kept + 5), (records[0].Id, records[^1].Id));
    }

    private sealed class EndsOnAbort : IHttpRequestLifetimeFeature
    {
        public FeedConnection? Connection { get; set; }

        public CancellationToken RequestAborted { get; set; }

        public void Abort() => Connection!.Dispose();
    }
}
