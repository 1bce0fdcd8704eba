using LoadBench.Contracts;
using LoadBench.Engine.Running;
using LoadBench.Engine.Scenarios;

namespace LoadBench.Engine.Tests.Running;

/// <summary>The runner with HTTP/2 and TLS setups against a target it starts itself: it finds the target's h2c and
/// HTTPS endpoints and certificate, and the results carry the TLS part beside the others.</summary>
public sealed class ProductionPathRunTests
{
    [Fact]
    public async Task RunAsync_StartedTarget_RunsH2OverTlsSharedAndH2c_WithTheTlsPartInTheBytes()
    {
        var plan = ScenarioPlan.FromScenarios("production_path_test",
        [
            new Scenario
            {
                Name = "sse_h2_tls_shared",
                Transport = TransportIds.Sse,
                Load = [new KeepConstant(4, TimeSpan.FromSeconds(2))],
                Feed = new FeedSpec(20, 64),
                Setup = new ConnectionSetup { Http = HttpVersions.Http2, Tls = true, StreamsPerConnection = 2 },
            },
            new Scenario
            {
                Name = "ws_h2c",
                Transport = TransportIds.WebSocket,
                Load = [new KeepConstant(2, TimeSpan.FromSeconds(2))],
                Feed = new FeedSpec(20, 64),
                Setup = new ConnectionSetup { Http = HttpVersions.Http2 },
            },
        ]);

        var results = await ScenarioRunner.RunAsync(
            plan, new RunOptions { TargetProcess = TargetProcessTests.RealTarget(), TargetWarmUp = TimeSpan.Zero }, null, CancellationToken.None);

        Assert.Equal(2, results.Scenarios.Count);
        foreach (var result in results.Scenarios)
        {
            Assert.True(result.Throughput.EventsDelivered >= result.Clients * 20, $"{result.Name}: delivered {result.Throughput.EventsDelivered}");
            Assert.Equal(0, result.Integrity.Lost + result.Integrity.Duplicates);
            Assert.True(result.Errors.ByKind.Count == 0, $"{result.Name}: {string.Join(", ", result.Errors.ByKind)}");
            var bytes = result.Bytes!;
            Assert.Equal(bytes.Payload + bytes.Framing + bytes.Headers + (bytes.Tls ?? 0), bytes.Total);
        }

        var tls = results.Scenarios[0].Bytes!;
        Assert.True(tls.Tls > 0, $"tls {tls.Tls}");
        Assert.True(tls.PerEvent.Tls > 0);
        Assert.Null(results.Scenarios[1].Bytes!.Tls);
    }

    private static ScenarioPlan OneScenario(ConnectionSetup setup) => ScenarioPlan.FromScenarios("setup_test",
    [
        new Scenario
        {
            Name = "sse_setup",
            Transport = TransportIds.Sse,
            Load = [new KeepConstant(1, TimeSpan.FromSeconds(1))],
            Feed = new FeedSpec(10, 64),
            Setup = setup,
        },
    ]);

    [Fact]
    public async Task RunAsync_RunningTargetTlsWithoutFingerprint_IsRefusedBeforeAnyScenario()
    {
        await using var host = await RunningTarget.StartAsync(RunningTarget.ProtocolArgs);

        // The target publishes its fingerprint, but a running target's word is not trusted: the person must give it.
        var refusal = await Assert.ThrowsAsync<ArgumentException>(() => ScenarioRunner.RunAsync(
            OneScenario(new ConnectionSetup { Tls = true }), new RunOptions { TargetUrl = host.BaseAddress, TargetWarmUp = TimeSpan.Zero }, null, CancellationToken.None));
        Assert.Contains("--tls-fingerprint", refusal.Message, StringComparison.Ordinal);
        Assert.Equal(0, host.Stats.Snapshot().Transports[TransportIds.Sse].Requests);
    }

    [Fact]
    public async Task RunAsync_RunningTargetWithoutH2c_RefusesAnHttp2Scenario()
    {
        await using var host = await RunningTarget.StartAsync();

        var refusal = await Assert.ThrowsAsync<ArgumentException>(() => ScenarioRunner.RunAsync(
            OneScenario(new ConnectionSetup { Http = HttpVersions.Http2 }), new RunOptions { TargetUrl = host.BaseAddress, TargetWarmUp = TimeSpan.Zero }, null, CancellationToken.None));
        Assert.Contains("--h2c-url", refusal.Message, StringComparison.Ordinal);
    }
}
