using LoadBench.Contracts;
using LoadBench.Engine.Metrics;
using LoadBench.Engine.Tests.Metrics;
using LoadBench.Engine.Tests.TestSupport;
using LoadBench.Engine.Transports;

namespace LoadBench.Engine.Tests.Transports;

/// <summary>Each client against a stub that serves a known, deliberately broken or slow feed.</summary>
public sealed class StubFeedTransportTests
{
    public static TheoryData<string> Transports => [.. TransportIds.All];

    private static (long, string) E(long seq) => (seq, StubFeed.Event(seq, StubFeed.NowMicros - 1000, "x"));

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task RunAsync_StubSkipsAndRepeatsSeqs_CountsExactlyThose(string transport)
    {
        // 3 and 4 are skipped (2 lost), 5 comes twice (1 duplicate).
        await using var stub = StubFeed.Serve(transport, [E(1), E(2), E(5), E(5), E(6)]);
        await using var client = FeedClientFactory.Create(ByteSplitTests.Options(stub, transport, new LatencyRecorders()));

        var counters = await ByteSplitTests.RunUntilAsync(client, stub, expectedCursor: 6, expectedHeads: 1);

        Assert.Equal(2, counters.Lost);
        Assert.Equal(1, counters.Duplicates);
        Assert.Equal(0, counters.Reorders);
        Assert.Equal(4, counters.EventsDelivered);
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task RunAsync_StubSendsALateSeq_CountsAReorderNotALoss(string transport)
    {
        await using var stub = StubFeed.Serve(transport, [E(1), E(3), E(2), E(4)]);
        await using var client = FeedClientFactory.Create(ByteSplitTests.Options(stub, transport, new LatencyRecorders()));

        var counters = await ByteSplitTests.RunUntilAsync(client, stub, expectedCursor: 4, expectedHeads: 1);

        Assert.Equal(0, counters.Lost);
        Assert.Equal(1, counters.Reorders);
        Assert.Equal(4, counters.EventsDelivered);
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task RunAsync_StubTricklesOneBytePerWrite_ParsesAndCountsTheSameBytes(string transport)
    {
        var events = new[] { E(1), E(2) };
        await using var steady = StubFeed.Serve(transport, events);
        await using var trickle = StubFeed.Serve(transport, events, trickle: true);
        var recorders = new LatencyRecorders();
        await using var steadyClient = FeedClientFactory.Create(ByteSplitTests.Options(steady, transport, new LatencyRecorders()));
        await using var trickleClient = FeedClientFactory.Create(ByteSplitTests.Options(trickle, transport, recorders));

        // Polling clients poll again after the answer; that second head is part of both runs.
        var heads = transport is TransportIds.Polling or TransportIds.LongPolling ? 2 : 1;
        var expected = await ByteSplitTests.RunUntilAsync(steadyClient, steady, expectedCursor: 2, expectedHeads: heads);
        var actual = await ByteSplitTests.RunUntilAsync(trickleClient, trickle, expectedCursor: 2, expectedHeads: heads);

        Assert.Equal(2, actual.EventsDelivered);
        Assert.Equal(0, actual.Lost + actual.Duplicates + actual.Reorders + actual.ErrorCount);
        Assert.Equal(2L * events[0].Item2.Length, actual.PayloadBytes);
        Assert.Equal(trickle.BytesSent, actual.SocketBytesRead);
        Assert.Equal(trickle.BytesReceived, actual.SocketBytesWritten);
        Assert.Equal(actual.SocketBytesRead + actual.SocketBytesWritten, actual.PayloadBytes + actual.FramingBytes + actual.HeaderBytes);
        // Same exchange as the steady stub, byte for byte, apart from the port in Host and WebSocket's random key.
        Assert.Equal(expected.PayloadBytes, actual.PayloadBytes);
        Assert.Equal(expected.FramingBytes, actual.FramingBytes);
        Assert.Equal(
            expected.HeaderBytes - steady.Heads().Sum(h => h.Length),
            actual.HeaderBytes - trickle.Heads().Sum(h => h.Length));
        Assert.Equal(2, recorders.Event.GetIntervalHistogram().TotalCount);
    }
}
