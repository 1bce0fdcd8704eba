using LoadBench.Contracts;
using LoadBench.Engine.Metrics;
using LoadBench.Engine.Running;
using LoadBench.Engine.Scenarios;
using LoadBench.Engine.Tests.TestSupport;
using LoadBench.Engine.Transports;
using LoadBench.Results;

namespace LoadBench.Engine.Tests.Running;

/// <summary>
/// The results' <c>serverBytes</c> of a compressed run, read from the target's <c>/stats</c> as the engine reads it
/// behind a proxy: on a direct plain HTTP/1.1 connection both legs are one, so the target's figures — wire split and
/// the uncompressed split beside it — must equal the client's own, byte for byte.
/// </summary>
public sealed class CompressedServerBytesTests
{
    [Theory]
    [InlineData(TransportIds.Sse, CompressionKinds.Brotli)]
    [InlineData(TransportIds.WebSocket, CompressionKinds.PerMessageDeflate)]
    [InlineData(TransportIds.LongPolling, CompressionKinds.Gzip)]
    public async Task ServerLegBytes_Compressed_EqualTheClientsSplit(string transport, string compression)
    {
        await using var target = await RunningTarget.StartAsync("--compression", "on");
        var before = await target.StatsAsync();
        var client = FeedClientFactory.Create(new FeedClientOptions(target.BaseAddress, transport, new LatencyRecorders())
        {
            StartAfter = target.Log.LatestSeq,
            LongPollTimeout = TimeSpan.FromSeconds(5),
            Setup = new ConnectionSetup { Compression = compression },
        });
        using var stop = new CancellationTokenSource();
        var run = client.RunAsync(stop.Token);
        for (var i = 0; i < 10; i++)
        {
            target.Publish(1);
            await Task.Delay(5);
        }

        await Wait.UntilAsync(() => client.Cursor == 10, "the client to reach seq 10");
        await stop.CancelAsync();
        await run;
        await client.DisposeAsync();
        var c = client.Counters.Snapshot();
        StatsSnapshot after = before;
        await Wait.UntilAsync(
            () =>
            {
                after = target.StatsAsync().GetAwaiter().GetResult();
                var mine = after.Transports[transport];
                return mine.BytesRead == c.SocketBytesWritten && mine.BytesWritten == c.SocketBytesRead;
            },
            "the target's socket counts to equal the client's");

        var server = ScenarioExecutor.ServerLegBytes(transport, before, after);
        var clients = ResultFigures.WithUncompressed(
            ResultFigures.Bytes(c.PayloadBytes, c.FramingBytes, c.HeaderBytes, c.EventsDelivered), c.UncompressedPayloadBytes, c.DecodedBodyBytes);

        Assert.Equal(10, c.EventsDelivered);
        Assert.NotNull(server.Uncompressed);
        // No "ratio > 1": brotli flushed after each small event can make the stream bigger than it was (a finding, not a fault).
        Assert.True(server.Uncompressed!.Ratio > 0, $"ratio {server.Uncompressed.Ratio}");
        Assert.Equal(
            (clients.Payload, clients.Framing, clients.Headers, clients.Total, clients.Events, clients.Uncompressed!.Payload, clients.Uncompressed.Framing, clients.Uncompressed.Ratio),
            (server.Payload, server.Framing, server.Headers, server.Total, server.Events, server.Uncompressed.Payload, server.Uncompressed.Framing, server.Uncompressed.Ratio));
    }
}
