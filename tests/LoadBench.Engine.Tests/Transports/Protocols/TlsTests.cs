using System.Globalization;
using System.Security.Cryptography;
using LoadBench.Contracts;
using LoadBench.Engine.Metrics;
using LoadBench.Engine.Scenarios;
using LoadBench.Engine.Tests.TestSupport;
using LoadBench.Engine.Transports;

namespace LoadBench.Engine.Tests.Transports.Protocols;

/// <summary>
/// TLS against the real target's HTTPS endpoint: the plaintext above TLS splits exactly as the same exchange does
/// on the plain endpoint (TLS adds a part, it changes none of the others), and a certificate other than the pinned
/// one is refused.
/// </summary>
public sealed class TlsTests
{
    [Fact]
    public async Task Sse_OverTls_PlaintextSplitsAsOnThePlainEndpointAndTlsIsTheRest()
    {
        await using var target = await RunningTarget.StartAsync(RunningTarget.ProtocolArgs);
        var endpoints = await target.EndpointsAsync();
        var start = target.Log.LatestSeq;
        await using var plain = FeedClientFactory.Create(new FeedClientOptions(target.BaseAddress, TransportIds.Sse, new LatencyRecorders()) { StartAfter = start });
        var https = new Uri(endpoints.Https!);
        await using var secure = FeedClientFactory.Create(new FeedClientOptions(https, TransportIds.Sse, new LatencyRecorders())
        {
            StartAfter = start,
            Setup = new ConnectionSetup { Tls = true },
            TlsFingerprint = endpoints.CertificateSha256,
        });
        using var stop = new CancellationTokenSource();
        var runs = new[] { plain.RunAsync(stop.Token), secure.RunAsync(stop.Token) };
        for (var seq = 1; seq <= 5; seq++)
        {
            // One event at a time, each read by both before the next: the same chunks on both connections.
            target.Publish(1);
            await Wait.UntilAsync(() => plain.Cursor == seq && secure.Cursor == seq, $"both clients at seq {seq}");
        }

        await stop.CancelAsync();
        await Task.WhenAll(runs);

        var p = plain.Counters.Snapshot();
        var s = secure.Counters.Snapshot();
        // The only plaintext difference is the Host header's port: "Host: 127.0.0.1:{port}".
        var portDigits = https.Port.ToString(CultureInfo.InvariantCulture).Length - target.BaseAddress.Port.ToString(CultureInfo.InvariantCulture).Length;
        Assert.Equal(p.PayloadBytes, s.PayloadBytes);
        Assert.Equal(p.FramingBytes, s.FramingBytes);
        Assert.Equal(p.HeaderBytes + portDigits, s.HeaderBytes);
        Assert.Equal(0, p.TlsBytes);
        Assert.Equal(s.SocketBytesRead + s.SocketBytesWritten - (p.PayloadBytes + p.FramingBytes + p.HeaderBytes + portDigits), s.TlsBytes);
        Assert.True(s.TlsBytes > 500, $"tls {s.TlsBytes}");
    }

    [Theory]
    [InlineData(TransportIds.Sse, HttpVersions.Http11)]
    [InlineData(TransportIds.Polling, HttpVersions.Http2)]
    public async Task RunAsync_CertificateWithAnotherFingerprint_IsRefused(string transport, string http)
    {
        await using var target = await RunningTarget.StartAsync(RunningTarget.ProtocolArgs);
        var endpoints = await target.EndpointsAsync();
        var other = Convert.ToHexString(SHA256.HashData("not the target's certificate"u8));
        Assert.NotEqual(endpoints.CertificateSha256, other);
        await using var client = FeedClientFactory.Create(new FeedClientOptions(new Uri(endpoints.Https!), transport, new LatencyRecorders())
        {
            Setup = new ConnectionSetup { Tls = true, Http = http },
            TlsFingerprint = other,
            PollInterval = TimeSpan.FromMilliseconds(50),
        });
        using var stop = new CancellationTokenSource();
        var run = client.RunAsync(stop.Token);
        target.Publish(3);

        await Wait.UntilAsync(() => client.Counters.Snapshot().Errors.GetValueOrDefault(ErrorKinds.TlsRefused) > 0, "a refused handshake");
        await stop.CancelAsync();
        await run;

        var counters = client.Counters.Snapshot();
        Assert.Equal(0, counters.EventsDelivered);
        Assert.Equal(0, counters.Requests);
        Assert.Equal(counters.ErrorCount, counters.Errors[ErrorKinds.TlsRefused]);
    }

    [Fact]
    public void Create_TlsWithoutFingerprint_IsRefused()
    {
        var options = new FeedClientOptions(new Uri("https://127.0.0.1:1/"), TransportIds.Sse, new LatencyRecorders())
        {
            Setup = new ConnectionSetup { Tls = true },
        };
        var error = Assert.Throws<ArgumentException>(() => FeedClientFactory.Create(options));
        Assert.Contains("fingerprint", error.Message, StringComparison.Ordinal);
    }
}
