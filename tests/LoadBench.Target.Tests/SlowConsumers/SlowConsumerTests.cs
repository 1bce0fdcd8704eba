using System.Net.WebSockets;
using System.Text.Json;
using LoadBench.Contracts;
using LoadBench.Target.Stats;
using LoadBench.Target.Tests.TestSupport;

namespace LoadBench.Target.Tests.SlowConsumers;

/// <summary>
/// Subscribers that stop reading, beside ones that read, on the real target with a fake clock: the stalled
/// one is told "too slow" in-band when it reads again past the bound (or aborted when it never does), can
/// resume from its cursor with nothing lost, and the reader beside it gets every event.
/// </summary>
public sealed class SlowConsumerTests
{
    // Big events fill a 4 KB receive buffer, the target's socket buffer and Kestrel's 64 KB response buffer in a few.
    private const string PayloadBytes = "262144";

    public static TheoryData<string> Transports() => [TransportIds.Sse, TransportIds.WebSocket];

    private static Task<FeedSubscriber> SubscribeAsync(FakeClockTarget target, string transport, string query) =>
        transport == TransportIds.Sse
            ? FeedSubscriber.SseAsync(target.BaseAddress, query)
            : FeedSubscriber.WebSocketAsync(target.BaseAddress, query);

    private static TransportCounters Counters(FakeClockTarget target, string transport) =>
        transport == TransportIds.Sse ? target.Stats.Sse : target.Stats.WebSocket;

    /// <summary>
    /// Publishes one event at a time, each once the reading subscriber has the one before (so the feed never
    /// bursts past the bound for a healthy subscriber), until the stalled one's writes stop: the target has sent
    /// every event to the reader but not the last one to the stalled subscriber for a second. Returns the
    /// latest seq. Pacing only: no assertion depends on how long anything took.
    /// </summary>
    private static async Task<long> PublishUntilStalledAsync(FakeClockTarget target, string transport, FeedSubscriber reader)
    {
        var counters = Counters(target, transport);
        for (var published = 1; published <= 200; published++)
        {
            target.Log.Publish();
            await Wait.UntilAsync(() => reader.Count == published, $"the reader to get event {published}");
            var twoSubscribers = 2L * published;
            var deadline = DateTime.UtcNow.AddSeconds(1);
            while (counters.Snapshot().EventsSent < twoSubscribers && DateTime.UtcNow < deadline)
            {
                await Task.Delay(10);
            }

            if (counters.Snapshot().EventsSent < twoSubscribers)
            {
                return published;
            }
        }

        Assert.Fail("The stalled subscriber took 200 events of 256 KB without its writes blocking.");
        return 0;
    }

    private static async Task PublishPacedAsync(FakeClockTarget target, FeedSubscriber reader, int count)
    {
        for (var i = 0; i < count; i++)
        {
            target.Log.Publish();
            var expected = (int)target.Log.LatestSeq;
            await Wait.UntilAsync(() => reader.Count == expected, $"the reader to get event {expected}");
        }
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task StalledSubscriber_PastTheEventBound_IsToldTooSlowInBand_ResumesFromItsCursor_ReaderBesideItGetsEverything(string transport)
    {
        await using var target = await FakeClockTarget.StartAsync(
            "--payload-bytes", PayloadBytes, "--slow-consumer-max-lag-events", "5", "--slow-consumer-max-lag-seconds", "0");
        await using var reader = await SubscribeAsync(target, transport, "?after=0");
        reader.StartReading();
        await using var stalled = await SubscribeAsync(target, transport, "?after=0");

        var stuckAt = await PublishUntilStalledAsync(target, transport, reader);
        await PublishPacedAsync(target, reader, 8); // now more than 5 events behind, while its writes are blocked
        var latest = target.Log.LatestSeq;

        await stalled.ReadToEndAsync(TimeSpan.FromSeconds(30));

        // It got a gap-free prefix, then the stated reason naming where it stopped.
        var got = stalled.Seqs;
        Assert.True(got.Count >= stuckAt - 1 && got.Count < latest - 5, $"got {got.Count} of {latest}, stuck at {stuckAt}");
        Assert.Equal(Enumerable.Range(1, got.Count).Select(i => (long)i), got);
        Assert.False(stalled.EndedByError);
        if (transport == TransportIds.Sse)
        {
            Assert.Equal(FeedTooSlow.SseEventType, stalled.EndEventType);
            using var data = JsonDocument.Parse(stalled.EndEventData!);
            Assert.Equal(got.Count, data.RootElement.GetProperty("after").GetInt64());
            Assert.Equal(latest, data.RootElement.GetProperty("latestSeq").GetInt64());
        }
        else
        {
            Assert.Equal((WebSocketCloseStatus)FeedTooSlow.WebSocketCloseStatus, stalled.CloseStatus);
            Assert.Equal(FeedTooSlow.WebSocketDescriptionPrefix + got.Count, stalled.CloseDescription);
        }

        // Resuming from its cursor, it gets the rest: nothing lost.
        await using var resumed = await SubscribeAsync(target, transport, $"?after={got.Count}");
        resumed.StartReading();
        await Wait.UntilAsync(() => resumed.Count == latest - got.Count, "the resumed subscriber to catch up");
        Assert.Equal(Enumerable.Range(got.Count + 1, (int)latest - got.Count).Select(i => (long)i), resumed.Seqs);

        // The reader beside it got every event, in order, and was never judged too slow.
        Assert.Equal(Enumerable.Range(1, (int)latest).Select(i => (long)i), reader.Seqs);
        Assert.Null(reader.EndEventType);
        Assert.Null(reader.CloseStatus);
        Assert.Equal(0, target.Sweep.Aborted);
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task StalledSubscriber_PastTheTimeBound_NeverReadingAgain_IsAbortedBySweep_ReaderBesideItIsNot(string transport)
    {
        await using var target = await FakeClockTarget.StartAsync(
            "--payload-bytes", PayloadBytes, "--slow-consumer-max-lag-events", "0", "--slow-consumer-max-lag-seconds", "5");
        await using var reader = await SubscribeAsync(target, transport, "?after=0");
        reader.StartReading();
        await using var stalled = await SubscribeAsync(target, transport, "?after=0");
        await PublishUntilStalledAsync(target, transport, reader);
        await PublishPacedAsync(target, reader, 1); // so the event after the one it is stuck on is published now

        // The latest event 4 s after the one it is stuck before: within the bound, however many sweeps pass.
        target.Time.Advance(TimeSpan.FromSeconds(4));
        await PublishPacedAsync(target, reader, 1);
        target.Sweep.Sweep();
        target.Sweep.Sweep();
        Assert.Equal(0, target.Sweep.Aborted);

        // 6 s: one sweep finds it behind, the next finds it still stuck and aborts it.
        target.Time.Advance(TimeSpan.FromSeconds(2));
        await PublishPacedAsync(target, reader, 1);
        target.Sweep.Sweep();
        target.Sweep.Sweep();
        Assert.Equal(1, target.Sweep.Aborted);

        await stalled.ReadToEndAsync(TimeSpan.FromSeconds(30));
        Assert.True(stalled.EndedByError || (stalled.EndEventType is null && stalled.CloseStatus is null),
            $"aborted, not told: {stalled.EndEventType} {stalled.CloseStatus}");

        // The reader keeps being served and gets every event.
        await PublishPacedAsync(target, reader, 3);
        Assert.Equal(Enumerable.Range(1, (int)target.Log.LatestSeq).Select(i => (long)i), reader.Seqs);
        Assert.Equal(1, target.Sweep.Aborted);
    }

    [Fact]
    public async Task StalledSubscribers_TargetMemoryStaysBounded_AndTheSweepFreesThem()
    {
        const int stalledCount = 20;
        const int events = 200;
        const int payload = 64 * 1024;
        await using var target = await FakeClockTarget.StartAsync(
            "--payload-bytes", payload.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--slow-consumer-max-lag-events", "0", "--slow-consumer-max-lag-seconds", "5");
        var stalled = new List<FeedSubscriber>();
        try
        {
            for (var i = 0; i < stalledCount; i++)
            {
                stalled.Add(await SubscribeAsync(target, i % 2 == 0 ? TransportIds.Sse : TransportIds.WebSocket, "?after=0"));
            }

            var before = GC.GetTotalMemory(forceFullCollection: true);
            for (var i = 0; i < events; i++)
            {
                target.Log.Publish();
            }

            // Until the stalled writes stop moving (pacing only).
            long sent = -1;
            for (var settled = 0; settled < 100 && Sent(target) != sent; settled++)
            {
                sent = Sent(target);
                await Task.Delay(300);
            }

            var grown = GC.GetTotalMemory(forceFullCollection: true) - before;
            // Loopback lets the kernel take up to 4 MB per stalled socket (tcp_wmem), about 60 of these events;
            // kept without a bound, the target would hold the other 140 × 64 KB = 9 MB per subscriber: 180 MB
            // for 20. Bounded, it holds the ring (200 events: 13 MB of JSON and as much again of payload text)
            // and at most Kestrel's 64 KB response buffer and an event in flight per subscriber (about 3 MB):
            // 100 MB is generous and still well below unbounded.
            Assert.True(grown < 100L * 1024 * 1024, $"managed memory grew {grown / 1024 / 1024} MB with {stalledCount} stalled subscribers");
            Assert.True(Sent(target) < (long)stalledCount * events / 2, $"{Sent(target)} events written: the subscribers were not stalled");

            target.Time.Advance(TimeSpan.FromSeconds(6));
            target.Log.Publish(); // the latest now 6 s after the events they are stuck before
            target.Sweep.Sweep();
            target.Sweep.Sweep();
            Assert.Equal(stalledCount, target.Sweep.Aborted);
            await Wait.UntilAsync(
                () => target.Stats.Sse.Snapshot().OpenConnections + target.Stats.WebSocket.Snapshot().OpenConnections == 0,
                "every stalled connection to be closed");
        }
        finally
        {
            foreach (var subscriber in stalled)
            {
                await subscriber.DisposeAsync();
            }
        }
    }

    private static long Sent(FakeClockTarget target) =>
        target.Stats.Sse.Snapshot().EventsSent + target.Stats.WebSocket.Snapshot().EventsSent;
}
