using System.Net.Http.Json;
using LoadBench.Contracts;
using LoadBench.Engine.Metrics;
using LoadBench.Engine.Scenarios;
using LoadBench.Engine.Tests.TestSupport;
using LoadBench.Engine.Transports;

namespace LoadBench.Engine.Tests.Transports;

/// <summary>
/// Each compression against the real target, on every transport it applies to: every event arrives once and in
/// order, the decoded events are exactly the published JSON, and the client's socket bytes and heads equal what
/// the target counted on its side of the same connection (an independent truth for the wire split).
/// </summary>
public sealed class CompressedFeedTests
{
    [Theory]
    [InlineData(TransportIds.WebSocket, CompressionKinds.PerMessageDeflate)]
    [InlineData(TransportIds.WebSocket, CompressionKinds.PerMessageDeflateNoContextTakeover)]
    [InlineData(TransportIds.Sse, CompressionKinds.Gzip)]
    [InlineData(TransportIds.Sse, CompressionKinds.Brotli)]
    [InlineData(TransportIds.Polling, CompressionKinds.Gzip)]
    [InlineData(TransportIds.LongPolling, CompressionKinds.Brotli)]
    public async Task RunAsync_Compressed_EventsArriveOnceInOrderAndBytesMatchTheTarget(string transport, string compression)
    {
        await using var target = await RunningTarget.StartAsync("--compression", "on");
        target.Publish(3); // before the start cursor: must not be delivered
        await using var client = FeedClientFactory.Create(new FeedClientOptions(target.BaseAddress, transport, new LatencyRecorders())
        {
            StartAfter = target.Log.LatestSeq,
            // Short polling idles between polls so it is stopped idle, not with an answer in flight (see FeedClientContract).
            PollInterval = transport == TransportIds.Polling ? TimeSpan.FromSeconds(1) : TimeSpan.Zero,
            LongPollTimeout = TimeSpan.FromSeconds(5),
            Setup = new ConnectionSetup { Compression = compression },
        });
        using var stop = new CancellationTokenSource();
        var run = client.RunAsync(stop.Token);

        var lengths = new List<int>();
        for (var i = 0; i < 20; i++)
        {
            lengths.AddRange(target.Publish(1).Select(json => json.Length));
            await Task.Delay(5);
        }

        await Wait.UntilAsync(() => client.Cursor == 23, "the client to reach seq 23");
        await stop.CancelAsync();
        await run;

        var counters = client.Counters.Snapshot();
        Assert.Equal(20, counters.EventsDelivered);
        Assert.Equal(0, counters.Lost + counters.Duplicates + counters.Reorders + counters.ErrorCount);
        Assert.Equal(lengths.Sum(), counters.UncompressedPayloadBytes);
        Assert.True(counters.DecodedBodyBytes >= counters.UncompressedPayloadBytes, $"decoded {counters.DecodedBodyBytes}");
        Assert.True(counters.PayloadBytes > 0, "compressed bytes were seen on the wire");
        Assert.Equal(counters.SocketBytesRead + counters.SocketBytesWritten, counters.PayloadBytes + counters.FramingBytes + counters.HeaderBytes);

        TransportStats? mine = null;
        await Wait.UntilAsync(
            () =>
            {
                var stats = target.Http.GetFromJsonAsync(FeedRoutes.Stats, ContractsJson.Default.StatsSnapshot).GetAwaiter().GetResult()!;
                mine = stats.Transports[transport];
                return mine.BytesRead == counters.SocketBytesWritten && mine.BytesWritten == counters.SocketBytesRead;
            },
            $"the target's socket counts to equal the client's (read {counters.SocketBytesRead}, written {counters.SocketBytesWritten})");
        Assert.Equal(mine!.HeaderBytes, counters.HeaderBytes);
    }
}
