using System.Net.Http.Json;
using LoadBench.Contracts;
using LoadBench.Engine.Metrics;
using LoadBench.Engine.Scenarios;
using LoadBench.Engine.Tests.TestSupport;
using LoadBench.Engine.Transports;
using LoadBench.Engine.Transports.Connections;

namespace LoadBench.Engine.Tests.Transports.Protocols;

/// <summary>
/// <c>streamsPerConnection</c>: subscribers sharing one HTTP/2 connection each get every event, and the
/// connection's bytes are counted once — on the first member's counters — so the scenario's sums still add up to
/// every socket byte and equal the target's own counts.
/// </summary>
public sealed class SharedConnectionTests
{
    [Theory]
    [InlineData(TransportIds.Sse, false, CompressionKinds.None)]
    [InlineData(TransportIds.WebSocket, true, CompressionKinds.None)]
    [InlineData(TransportIds.Sse, true, CompressionKinds.Gzip)]
    [InlineData(TransportIds.WebSocket, false, CompressionKinds.PerMessageDeflate)]
    public async Task RunAsync_ThreeStreamsOnOneConnection_EachGetsEveryEventAndBytesAreCountedOnce(string transport, bool tls, string compression)
    {
        // Compressed: the payload is the streams' compressed bodies (or messages), still counted once, and the
        // target's count of what its compressors wrote must equal it.
        await using var target = await RunningTarget.StartAsync(
            compression == CompressionKinds.None ? RunningTarget.ProtocolArgs : ["--compression", "on", .. RunningTarget.ProtocolArgs]);
        var endpoints = await target.EndpointsAsync();
        var shares = new SharedConnections(3);
        var setup = new ConnectionSetup { Http = HttpVersions.Http2, Tls = tls, StreamsPerConnection = 3, Compression = compression };
        var clients = Enumerable.Range(0, 3).Select(_ => FeedClientFactory.Create(
            new FeedClientOptions(new Uri(tls ? endpoints.Https! : endpoints.H2c!), transport, new LatencyRecorders())
            {
                StartAfter = target.Log.LatestSeq,
                Setup = setup,
                TlsFingerprint = endpoints.CertificateSha256,
                SharedConnection = shares.Next(),
            })).ToList();
        using var stop = new CancellationTokenSource();
        var runs = clients.Select(c => c.RunAsync(stop.Token)).ToList();
        // Every stream open before publishing, so each of them is delivered all five.
        await Wait.UntilAsync(() => target.Stats.Snapshot().Transports[transport].OpenConnections == 3, "three open streams");
        target.Publish(5);
        await Wait.UntilAsync(() => clients.All(c => c.Cursor == 5), "every stream at seq 5");
        await stop.CancelAsync();
        await Task.WhenAll(runs);
        foreach (var client in clients)
        {
            await client.DisposeAsync(); // the last one closes the connection (see ProtocolContractTests)
        }

        var each = clients.Select(c => c.Counters.Snapshot()).ToList();
        var sum = each.Aggregate(ClientCountersSnapshot.Empty, (a, b) => a.Add(b));
        Assert.All(each, c => Assert.Equal(5, c.EventsDelivered));
        Assert.All(each.Skip(1), c => Assert.Equal(0, c.SocketBytesRead + c.SocketBytesWritten)); // one connection, counted once
        Assert.Equal(0, sum.Lost + sum.Duplicates + sum.Reorders + sum.ErrorCount);
        Assert.Equal(sum.SocketBytesRead + sum.SocketBytesWritten, sum.PayloadBytes + sum.FramingBytes + sum.HeaderBytes + sum.TlsBytes);
        Assert.Equal(compression != CompressionKinds.None, sum.UncompressedPayloadBytes > 0 && sum.DecodedBodyBytes > 0);

        TransportStats? mine = null;
        try
        {
            await Wait.UntilAsync(
                () =>
                {
                    mine = target.Http.GetFromJsonAsync(FeedRoutes.Stats, ContractsJson.Default.StatsSnapshot).GetAwaiter().GetResult()!.Transports[transport];
                    return mine.BytesRead == sum.SocketBytesWritten && mine.PayloadBytes == sum.PayloadBytes
                        && ClosingFrames.Explain(mine.BytesWritten - sum.SocketBytesRead, setup);
                },
                "the target's counts to equal the clients' sum");
        }
        catch (Exception) when (mine is not null)
        {
            Assert.Fail($"target {mine}; clients read {sum.SocketBytesRead} written {sum.SocketBytesWritten} payload {sum.PayloadBytes}");
        }

    }
}
