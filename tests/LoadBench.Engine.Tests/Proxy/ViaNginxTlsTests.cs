using System.Net.Security;
using System.Net.Sockets;
using System.Runtime.Versioning;
using System.Security.Cryptography;
using LoadBench.Contracts;
using LoadBench.Engine.Proxy;
using LoadBench.Engine.Running;
using LoadBench.Engine.Scenarios;
using LoadBench.Engine.Tests.TestSupport;
using LoadBench.Engine.Transports;
using LoadBench.Results;
using LoadBench.Tests.Support;

namespace LoadBench.Engine.Tests.Proxy;

/// <summary>
/// TLS and HTTP/2 on the client ↔ nginx leg of a scenario's <c>via</c>: the engine's nginx serves them with a
/// certificate made for it (key mode 600) that the clients pin, the target behind it serves plain HTTP/1.1 only, and
/// the client leg's byte split stays exact — checked against a relay's own count of every socket byte and the
/// target's own count of the events and their payload bytes.
/// </summary>
public sealed class ViaNginxTlsTests
{
    [Fact]
    [SupportedOSPlatform("linux")] // file modes; the engine's nginx is Debian's
    public async Task StartAsync_TlsAndHttp2_KeyOwnerOnly_ServesThePinnedCertificateWithH2ByAlpn_AndDeletesIt()
    {
        await using var host = await RunningTarget.StartAsync();
        NginxCertificate certificate;
        await using (var nginx = await NginxProxy.StartAsync(NginxConfigurations.PushReady, new NginxClientLeg(Tls: true, Http2: true),
                         host.BaseAddress, TimeProvider.System, CancellationToken.None))
        {
            certificate = Assert.IsType<NginxCertificate>(nginx.Certificate);
            Assert.Equal(Uri.UriSchemeHttps, nginx.BaseUri.Scheme);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(certificate.KeyFile));
            Assert.Equal((nginx.BaseUri, nginx.TlsFingerprint), nginx.Endpoints.For(new ConnectionSetup { Http = HttpVersions.Http2, Tls = true, Via = "loadbench" }));

            // What nginx presents, read by a client of our own: that certificate, and h2 chosen by ALPN.
            using var tcp = new TcpClient();
            await tcp.ConnectAsync(nginx.BaseUri.Host, nginx.BaseUri.Port);
            byte[]? presented = null;
            await using var tls = new SslStream(tcp.GetStream());
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = "localhost",
                ApplicationProtocols = [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11],
                RemoteCertificateValidationCallback = (_, c, _, _) => (presented = c?.GetRawCertData()) is not null,
            });
            Assert.Equal(SslApplicationProtocol.Http2, tls.NegotiatedApplicationProtocol);
            Assert.Equal(certificate.Fingerprint, Convert.ToHexString(SHA256.HashData(presented!)));
        }

        Assert.False(File.Exists(certificate.KeyFile), "the key outlived its nginx");
    }

    [Fact]
    public async Task Run_ViaNginxWithTlsAndHttp2_TargetPlain_EveryEventOnce_ClientLegBytesExactAgainstARelay()
    {
        // The target serves plain HTTP/1.1 only (no h2c, no HTTPS endpoint, no fingerprint given): TLS and HTTP/2 are
        // nginx's, on the client leg alone.
        await using var host = await RunningTarget.StartAsync();
        await using var relay = new CountingRelay();
        Scenario[] scenarios =
        [
            Scenario("sse_h2_tls_shared", TransportIds.Sse, 4, new ConnectionSetup { Http = HttpVersions.Http2, Tls = true, StreamsPerConnection = 2, Via = "loadbench" }),
            Scenario("ws_h1_tls", TransportIds.WebSocket, 3, new ConnectionSetup { Tls = true, Via = "loadbench" }),
            Scenario("longpoll_h2c", TransportIds.LongPolling, 3, new ConnectionSetup { Http = HttpVersions.Http2, Via = "loadbench" }),
        ];
        var results = await ScenarioRunner.RunAsync(ScenarioPlan.FromScenarios("via_tls_test", scenarios), new RunOptions
        {
            TargetUrl = host.BaseAddress,
            TargetWarmUp = TimeSpan.Zero,
            // The engine's own clients, connected through the relay: same scheme, TLS pinned to nginx's certificate.
            ClientFactory = o => FeedClientFactory.Create(o with { BaseUri = relay.Through(o.BaseUri) }),
        }, null, CancellationToken.None);

        var fronts = relay.Fronts;
        Assert.Equal(scenarios.Length, fronts.Count); // one nginx, and one front, per scenario
        await Wait.UntilAsync(() => fronts.All(f => f.Open == 0), "every relayed connection closed", 30_000);
        Assert.Equal(scenarios.Length, results.Scenarios.Count);
        for (var i = 0; i < scenarios.Length; i++)
        {
            var (scenario, result, front) = (scenarios[i], results.Scenarios[i], fronts[i]);
            Assert.Equal((0L, 0L, 0L), (result.Integrity.Lost, result.Integrity.Duplicates, result.Integrity.Reorders));
            Assert.True(result.Errors.Count == 0, $"{result.Name}: {string.Join(", ", result.Errors.ByKind)}");
            Assert.Equal(scenario.Setup.ToResult(), result.Setup);
            Assert.Equal("1.1", result.Proxy?.UpstreamHttp);

            // Every byte: the parts add up to the socket bytes, and those are what crossed the relay both ways.
            var bytes = result.Bytes;
            Assert.Equal(bytes.Total, bytes.Payload + bytes.Framing + bytes.Headers + (bytes.Tls ?? 0));
            Assert.True(front.FromClients + front.ToClients == bytes.Total, $"{result.Name}: relay {front.FromClients} from clients + {front.ToClients} to clients = {front.FromClients + front.ToClients}, engine {bytes.Total} (tls {bytes.Tls})");
            Assert.True(bytes.Framing > 0 && bytes.Headers > 0, $"{result.Name}: framing {bytes.Framing}, headers {bytes.Headers}");
            Assert.Equal(scenario.Setup.Tls, bytes.Tls > 0);
            if (!scenario.Setup.Tls)
            {
                Assert.Null(bytes.Tls);
            }

            // Connections: one per client, or one per two streams (the h2 scenario shares them).
            Assert.Equal(scenario.Load[0] is KeepConstant k ? k.Copies / scenario.Setup.StreamsPerConnection : -1, front.Accepted);

            // Payload: the target's own count of the events it sent through nginx and of their bytes, each event's
            // JSON once per subscriber — the client leg carries exactly that payload, over TLS and HTTP/2 alike.
            var serverLeg = Assert.IsType<BytesResult>(result.ServerBytes);
            Assert.True(bytes.Events >= 3 * 20, $"{result.Name}: {bytes.Events} events");
            Assert.Equal(serverLeg.Events, bytes.Events);
            Assert.Equal(serverLeg.Payload, bytes.Payload);
        }
    }

    private static Scenario Scenario(string name, string transport, int clients, ConnectionSetup setup) => new()
    {
        Name = name,
        Transport = transport,
        Load = [new KeepConstant(clients, TimeSpan.FromSeconds(2))],
        Feed = new FeedSpec(20, 64),
        Setup = setup,
        Client = new ClientSpec { LongPollTimeout = TimeSpan.FromSeconds(30) },
    };
}
