using System.Net.Http.Json;
using LoadBench.Contracts;
using LoadBench.Engine.Metrics;
using LoadBench.Engine.Scenarios;
using LoadBench.Engine.Tests.TestSupport;
using LoadBench.Engine.Tests.Transports.Protocols;
using LoadBench.Engine.Transports;

namespace LoadBench.Engine.Tests.Transports;

/// <summary>
/// Each compression against the real target, on every transport it applies to and over each protocol its split is
/// built for: every event arrives once and in order, the decoded events are exactly the published JSON, and the
/// client's figures equal what the target counted on its side of the same connection (an independent truth for the
/// wire split) — socket bytes, the compressed body (the payload: what the target's compressor wrote, what the
/// client read before decoding), the events' own bytes and the decoded body; and on plain HTTP/1.1 the heads.
/// </summary>
public sealed class CompressedFeedTests
{
    [Theory]
    [InlineData(TransportIds.WebSocket, CompressionKinds.PerMessageDeflate, "h1")]
    [InlineData(TransportIds.WebSocket, CompressionKinds.PerMessageDeflateNoContextTakeover, "h1")]
    [InlineData(TransportIds.WebSocket, CompressionKinds.PerMessageDeflate, "h1+tls")]
    [InlineData(TransportIds.WebSocket, CompressionKinds.PerMessageDeflate, "h2c")]
    [InlineData(TransportIds.WebSocket, CompressionKinds.PerMessageDeflateNoContextTakeover, "h2+tls")]
    [InlineData(TransportIds.Sse, CompressionKinds.Gzip, "h1")]
    [InlineData(TransportIds.Sse, CompressionKinds.Brotli, "h1")]
    [InlineData(TransportIds.Sse, CompressionKinds.Gzip, "h1+tls")]
    [InlineData(TransportIds.Sse, CompressionKinds.Gzip, "h2c")]
    [InlineData(TransportIds.Sse, CompressionKinds.Brotli, "h2+tls")]
    [InlineData(TransportIds.Polling, CompressionKinds.Gzip, "h1")]
    [InlineData(TransportIds.Polling, CompressionKinds.Brotli, "h1+tls")]
    [InlineData(TransportIds.Polling, CompressionKinds.Gzip, "h2c")]
    [InlineData(TransportIds.LongPolling, CompressionKinds.Brotli, "h1")]
    [InlineData(TransportIds.LongPolling, CompressionKinds.Gzip, "h2+tls")]
    public async Task RunAsync_Compressed_EventsArriveOnceInOrderAndBytesMatchTheTarget(string transport, string compression, string protocol)
    {
        var plain = protocol == "h1";
        await using var target = await RunningTarget.StartAsync(plain ? ["--compression", "on"] : ["--compression", "on", .. RunningTarget.ProtocolArgs]);
        var tls = protocol.EndsWith("+tls", StringComparison.Ordinal);
        var endpoints = plain ? null : await target.EndpointsAsync();
        var address = plain ? target.BaseAddress : new Uri(tls ? endpoints!.Https! : endpoints!.H2c!);
        target.Publish(3); // before the start cursor: must not be delivered
        var setup = new ConnectionSetup
        {
            Compression = compression,
            Http = protocol.StartsWith("h2", StringComparison.Ordinal) ? HttpVersions.Http2 : HttpVersions.Http11,
            Tls = tls,
        };
        var client = FeedClientFactory.Create(new FeedClientOptions(address, transport, new LatencyRecorders())
        {
            StartAfter = target.Log.LatestSeq,
            // Short polling idles between polls so it is stopped idle, not with an answer in flight (see FeedClientContract).
            PollInterval = transport == TransportIds.Polling ? TimeSpan.FromSeconds(1) : TimeSpan.Zero,
            LongPollTimeout = TimeSpan.FromSeconds(5),
            Setup = setup,
            TlsFingerprint = tls ? endpoints!.CertificateSha256 : null,
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
        // Closed before counting: an HTTP/2 connection's last frames and a TLS close are the connection's bytes too.
        await client.DisposeAsync();

        var counters = client.Counters.Snapshot();
        Assert.Equal(20, counters.EventsDelivered);
        Assert.Equal(0, counters.Lost + counters.Duplicates + counters.Reorders + counters.ErrorCount);
        Assert.Equal(lengths.Sum(), counters.UncompressedPayloadBytes);
        Assert.True(counters.DecodedBodyBytes >= counters.UncompressedPayloadBytes, $"decoded {counters.DecodedBodyBytes}");
        Assert.True(counters.PayloadBytes > 0, "compressed bytes were seen on the wire");
        Assert.Equal(counters.SocketBytesRead + counters.SocketBytesWritten,
            counters.PayloadBytes + counters.FramingBytes + counters.HeaderBytes + counters.TlsBytes);
        Assert.Equal(tls, counters.TlsBytes > 0);

        TransportStats? mine = null;
        await Wait.UntilAsync(
            () =>
            {
                var stats = target.Http.GetFromJsonAsync(FeedRoutes.Stats, ContractsJson.Default.StatsSnapshot).GetAwaiter().GetResult()!;
                mine = stats.Transports[transport];
                // Kestrel may still write its GOAWAY after the client closed an HTTP/2 connection (see ClosingFrames).
                return mine.BytesRead == counters.SocketBytesWritten
                    && ClosingFrames.Explain(mine.BytesWritten - counters.SocketBytesRead, setup);
            },
            $"the target's socket counts to equal the client's (read {counters.SocketBytesRead}, written {counters.SocketBytesWritten})");
        Assert.Equal(counters.PayloadBytes, mine!.PayloadBytes);
        Assert.Equal(counters.UncompressedPayloadBytes, mine.EventBytes);
        Assert.Equal(counters.DecodedBodyBytes, mine.DecodedBodyBytes);
        Assert.Equal(20, mine.EventsSent);
        if (plain)
        {
            Assert.Equal(mine.HeaderBytes, counters.HeaderBytes);
        }
    }
}
