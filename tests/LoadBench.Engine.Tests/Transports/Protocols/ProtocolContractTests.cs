using System.Net.Http.Json;
using LoadBench.Contracts;
using LoadBench.Engine.Metrics;
using LoadBench.Engine.Scenarios;
using LoadBench.Engine.Tests.TestSupport;
using LoadBench.Engine.Transports;

namespace LoadBench.Engine.Tests.Transports.Protocols;

/// <summary>
/// The transport contract over the production path's protocols, against the real target's HTTP/2 and HTTPS
/// endpoints: every event once and in order, payload exactly the published JSON, the parts (payload, framing,
/// headers, TLS) adding up to every socket byte, and the target's own socket counts — taken below TLS, on its side
/// of the socket — equal to the client's.
/// </summary>
public sealed class ProtocolContractTests
{
    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var transport in TransportIds.All)
        {
            foreach (var protocol in new[] { "h2c", "h2+tls", "h1+tls" })
            {
                data.Add(transport, protocol);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task RunAsync_OverProtocol_EventsOnceInOrderAndBytesExact(string transport, string protocol)
    {
        await using var target = await RunningTarget.StartAsync(RunningTarget.ProtocolArgs);
        var endpoints = await target.EndpointsAsync();
        var tls = protocol.EndsWith("+tls", StringComparison.Ordinal);
        var setup = new ConnectionSetup { Http = protocol.StartsWith("h2", StringComparison.Ordinal) ? HttpVersions.Http2 : HttpVersions.Http11, Tls = tls };
        var recorders = new LatencyRecorders();
        await using var client = FeedClientFactory.Create(new FeedClientOptions(new Uri(tls ? endpoints.Https! : endpoints.H2c!), transport, recorders)
        {
            StartAfter = target.Log.LatestSeq,
            LongPollTimeout = TimeSpan.FromSeconds(5),
            // Short polling idles between polls, so it is not stopped with a response in flight that the target
            // counted and the client never read (see FeedClientContract.PollInterval).
            PollInterval = TimeSpan.FromSeconds(2),
            Setup = setup,
            TlsFingerprint = tls ? endpoints.CertificateSha256 : null,
        });
        using var stop = new CancellationTokenSource();
        var run = client.RunAsync(stop.Token);

        var lengths = new List<int>();
        for (var i = 0; i < 10; i++)
        {
            lengths.AddRange(target.Publish(1).Select(json => json.Length));
            await Task.Delay(5);
        }

        await Wait.UntilAsync(() => client.Cursor == 10, "the client to reach seq 10");
        await stop.CancelAsync();
        await run;
        // Closed before counting: an HTTP/2 connection's frames after the last request (RST_STREAM of a cancelled
        // stream, WINDOW_UPDATE, GOAWAY) are the connection's cost too, and the target gives the bytes it read after
        // a stream ended to that stream's transport once the connection closes.
        await client.DisposeAsync();

        var counters = client.Counters.Snapshot();
        Assert.Equal(10, counters.EventsDelivered);
        Assert.Equal(0, counters.Lost + counters.Duplicates + counters.Reorders + counters.ErrorCount);
        Assert.Equal(lengths.Sum(), counters.PayloadBytes);
        Assert.Equal(counters.SocketBytesRead + counters.SocketBytesWritten,
            counters.PayloadBytes + counters.FramingBytes + counters.HeaderBytes + counters.TlsBytes);
        Assert.True(counters.HeaderBytes > 0 && counters.FramingBytes > 0, $"headers {counters.HeaderBytes}, framing {counters.FramingBytes}");
        if (tls)
        {
            // At least a handshake: the ECDSA certificate alone is a few hundred bytes.
            Assert.True(counters.TlsBytes > 500, $"tls {counters.TlsBytes}");
        }
        else
        {
            Assert.Equal(0, counters.TlsBytes);
        }

        TransportStats? mine = null;
        try
        {
            await Wait.UntilAsync(
                () =>
                {
                    var stats = target.Http.GetFromJsonAsync(FeedRoutes.Stats, ContractsJson.Default.StatsSnapshot).GetAwaiter().GetResult()!;
                    mine = stats.Transports[transport];
                    return mine.BytesRead == counters.SocketBytesWritten && mine.PayloadBytes == counters.PayloadBytes
                        && ClosingFrames.Explain(mine.BytesWritten - counters.SocketBytesRead, setup);
                },
                "the target's socket counts for this transport to equal the client's");
        }
        catch (Exception) when (mine is not null)
        {
            Assert.Fail($"target {mine}; client read {counters.SocketBytesRead} written {counters.SocketBytesWritten} payload {counters.PayloadBytes} headers {counters.HeaderBytes} tls {counters.TlsBytes}");
        }
    }
}
