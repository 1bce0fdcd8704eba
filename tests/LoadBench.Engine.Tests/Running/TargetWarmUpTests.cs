using System.Collections.Concurrent;
using LoadBench.Contracts;
using LoadBench.Engine.Running;
using LoadBench.Engine.Scenarios;
using LoadBench.Engine.Transports;

namespace LoadBench.Engine.Tests.Running;

/// <summary>The target's warm-up before the first scenario speaks the plan's setups: a TLS and HTTP/2 plan warms the
/// target's HTTPS endpoint over HTTP/2, not its HTTP/1.1 one.</summary>
public sealed class TargetWarmUpTests
{
    [Fact]
    public async Task RunAsync_H2TlsPlan_WarmsTheTargetOverH2AndTls_ThroughItsHttpsEndpoint()
    {
        await using var host = await RunningTarget.StartAsync(RunningTarget.ProtocolArgs);
        var endpoints = await host.EndpointsAsync();
        var setup = new ConnectionSetup { Http = HttpVersions.Http2, Tls = true };
        var plan = ScenarioPlan.FromScenarios("warm_up_setup",
        [
            new Scenario
            {
                Name = "sse_h2_tls",
                Transport = TransportIds.Sse,
                Load = [new KeepConstant(2, TimeSpan.FromSeconds(1))],
                Feed = new FeedSpec(20, 64),
                Setup = setup,
            },
        ]);
        // The real clients, recorded: what the engine asked each for, and what each counted on its socket.
        var made = new ConcurrentQueue<(FeedClientOptions Options, IFeedClient Client)>();
        IFeedClient Record(FeedClientOptions options)
        {
            var client = FeedClientFactory.Create(options);
            made.Enqueue((options, client));
            return client;
        }

        await ScenarioRunner.RunAsync(plan, new RunOptions
        {
            TargetUrl = host.BaseAddress,
            TlsFingerprint = endpoints.CertificateSha256,
            TargetWarmUp = TimeSpan.FromMilliseconds(500),
            ClientFactory = Record,
        }, null, CancellationToken.None);

        // The warm-up's ten clients and the scenario's two: every one to the HTTPS endpoint with the scenario's setup.
        Assert.Equal(12, made.Count);
        Assert.All(made, m =>
        {
            Assert.Equal(new Uri(endpoints.Https!), m.Options.BaseUri);
            Assert.Equal(setup, m.Options.Setup);
            // The client's own count: socket bytes beyond the plaintext, i.e. a TLS handshake really happened.
            Assert.True(m.Client.Counters.Snapshot().TlsBytes > 500, $"tls {m.Client.Counters.Snapshot().TlsBytes}");
        });
        // The target's own count: twelve SSE streams, and no other feed transport touched.
        var stats = await host.StatsAsync();
        Assert.Equal(12, stats.Transports[TransportIds.Sse].Requests);
        Assert.Equal(0, stats.Transports[TransportIds.WebSocket].Requests + stats.Transports[TransportIds.Polling].Requests);
    }
}
