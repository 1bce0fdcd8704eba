using System.Net;
using System.Net.Http.Json;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using LoadBench.Contracts;
using LoadBench.Target;
using LoadBench.Target.Hosting;

namespace LoadBench.Target.Tests.Hosting;

/// <summary>One endpoint per protocol: the published addresses answer with their protocol, the published
/// fingerprint is the certificate the HTTPS endpoint really shows, and bad endpoint options are refused.</summary>
public sealed class ProtocolEndpointsTests
{
    [Fact]
    public async Task Endpoints_EachServesItsProtocol_AndTheFingerprintIsTheServedCertificate()
    {
        await using var target = await RunningTarget.StartAsync(RunningTarget.ProtocolArgs);
        var endpoints = await target.EndpointsAsync();
        Assert.Equal(target.BaseAddress, new Uri(endpoints.Http1));
        Assert.Matches("^[0-9A-F]{64}$", endpoints.CertificateSha256);

        var https = new Uri(endpoints.Https!);
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, https.Port);
        byte[]? served = null;
        await using (var tls = new SslStream(tcp.GetStream()))
        {
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = "localhost",
                ApplicationProtocols = [SslApplicationProtocol.Http2],
                // Reads the certificate the endpoint shows; this test's only job is to compare it with the published one.
                RemoteCertificateValidationCallback = (_, certificate, _, _) => (served = certificate?.GetRawCertData()) is not null,
            });
            Assert.Equal(SslApplicationProtocol.Http2, tls.NegotiatedApplicationProtocol);
        }

        Assert.Equal(endpoints.CertificateSha256, Convert.ToHexString(SHA256.HashData(served!)));

        // Cleartext HTTP/2 by prior knowledge on the h2c endpoint; HTTP/1.1 stays on the first.
        using var h2c = new HttpClient { DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
        using var response = await h2c.GetAsync(new Uri(new Uri(endpoints.H2c!), FeedRoutes.Info));
        Assert.Equal(HttpVersion.Version20, response.Version);
        Assert.NotNull(await response.Content.ReadFromJsonAsync(ContractsJson.Default.FeedInfo));
    }

    [Fact]
    public async Task Endpoints_WithoutExtraOptions_AreHttp1Only()
    {
        await using var target = await RunningTarget.StartAsync();
        var endpoints = await target.EndpointsAsync();
        Assert.Null(endpoints.H2c);
        Assert.Null(endpoints.Https);
        Assert.Null(endpoints.CertificateSha256);
    }

    [Theory]
    [InlineData("--https-url", "http://127.0.0.1:0")]
    [InlineData("--https-url", "https://127.0.0.1")]
    [InlineData("--h2c-url", "https://127.0.0.1:0")]
    [InlineData("--h2c-url", "not a url")]
    public void Build_BadEndpointOption_IsRefusedNamingIt(string option, string value)
    {
        var refusal = Assert.Throws<TargetConfigurationException>(() => TargetApp.Build(["--urls", "http://127.0.0.1:0", option, value]));
        Assert.Contains(option, refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_ExtraEndpointBeyondLoopbackWithoutToken_IsRefused()
    {
        var refusal = Assert.Throws<TargetConfigurationException>(() => TargetApp.Build(["--urls", "http://127.0.0.1:0", "--https-url", "https://0.0.0.0:0"]));
        Assert.Contains("--control-token", refusal.Message, StringComparison.Ordinal);
    }
}
