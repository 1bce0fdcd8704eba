using LoadBench.Contracts;
using LoadBench.Engine.Scenarios;

namespace LoadBench.Engine.Tests.Scenarios;

/// <summary><c>scenarios/production-path.json</c> expands into what issue 13 asks of it: the four transports over
/// HTTP/1.1 and HTTP/2, plain and TLS, each once, and WebSocket and SSE compressed beside their uncompressed runs,
/// every scenario its own setup (never two variants under one name) on the same feed.</summary>
public sealed class ProductionPathScenarioTests
{
    [Fact]
    public void Load_ExpandsToEveryTransportHttpTlsCombination_AndTheCompressedVariants_OnOneFeed()
    {
        var plan = ScenarioFile.Load(Path.Combine(ShippedScenarios.Directory, "production-path.json"));

        var matrix = plan.Scenarios.Where(s => s.Setup.Compression == CompressionKinds.None).ToList();
        var expected = from transport in TransportIds.All
                       from http in HttpVersions.All
                       from tls in new[] { false, true }
                       select (transport, http, tls);
        Assert.Equal(expected.Order(), matrix.Select(s => (s.Transport, s.Setup.Http, s.Setup.Tls)).Order());
        Assert.Equal(
            [(TransportIds.Sse, CompressionKinds.Gzip), (TransportIds.WebSocket, CompressionKinds.PerMessageDeflate), (TransportIds.WebSocket, CompressionKinds.PerMessageDeflateNoContextTakeover)],
            plan.Scenarios.Where(s => s.Setup.Compression != CompressionKinds.None).Select(s => (s.Transport, s.Setup.Compression)).Order());
        Assert.All(plan.Scenarios.Where(s => s.Setup.Compression != CompressionKinds.None),
            s => Assert.Equal(ConnectionSetup.Default with { Compression = s.Setup.Compression }, s.Setup));

        // One name per setup, and the names say it.
        Assert.Equal(plan.Scenarios.Count, plan.Scenarios.Select(s => s.Name).Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(plan.Scenarios.Count, plan.Scenarios.Select(s => (s.Transport, s.Setup)).Distinct().Count());
        Assert.Contains(plan.Scenarios, s => s.Name == "ws_h2_tls" && s.Setup.Http == HttpVersions.Http2 && s.Setup.Tls);
        Assert.Contains(plan.Scenarios, s => s.Name == "ws_permessage_deflate");
        // The same feed and load everywhere, so the setups are the only difference.
        Assert.Single(plan.Scenarios.Select(s => s.Feed).Distinct());
        Assert.Equal(256, plan.Scenarios[0].Feed.PayloadBytes);
        Assert.Single(plan.Scenarios.Select(s => s.DescribeLoad()).Distinct());
    }
}
