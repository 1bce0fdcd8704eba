using System.Net.Http.Json;
using LoadBench.Contracts;
using LoadBench.Engine.Running;
using LoadBench.Engine.Scenarios;
using LoadBench.Engine.Tests.TestSupport;
using LoadBench.Results;

namespace LoadBench.Engine.Tests.Running;

/// <summary>The runner with the real transport clients against the real target.</summary>
public sealed class ScenarioRunnerTests
{
    private static ScenarioPlan Plan(string transport, int copies, double rate) => ScenarioPlan.FromScenarios("runner_test",
    [
        new Scenario
        {
            Name = $"{transport}_{copies}",
            Transport = transport,
            Load = [new KeepConstant(copies, TimeSpan.FromSeconds(2))],
            Feed = new FeedSpec(rate, 64),
        },
    ]);

    [Fact]
    public async Task RunAsync_RunningTarget_DeliversEveryEventPublishedInThePhaseToEveryClient()
    {
        await using var host = await RunningTarget.StartAsync();
        var before = (await host.Http.GetFromJsonAsync(FeedRoutes.Info, ContractsJson.Default.FeedInfo))!;

        // No target warm-up here: this test counts every event the target published during the run.
        var results = await ScenarioRunner.RunAsync(Plan(TransportIds.Sse, 3, 20),
            new RunOptions { TargetUrl = host.BaseAddress, TargetWarmUp = TimeSpan.Zero }, null, CancellationToken.None);

        var after = (await host.Http.GetFromJsonAsync(FeedRoutes.Info, ContractsJson.Default.FeedInfo))!;
        var result = Assert.Single(results.Scenarios);
        var published = after.LatestSeq - before.LatestSeq;
        Assert.True(published >= 20, $"published {published}");
        // The publisher was paused for the drain, so the phase's events are a closed set and each of the 3
        // clients got every one. Only events published between the runner's PUT /feed/settings and its
        // GET /feed/info (the clients' start cursor; one event per 50 ms) are before the scenario: allow 2.
        Assert.Equal(0, result.Integrity.Lost);
        Assert.Equal(0, result.Integrity.Duplicates);
        Assert.Equal(0, result.Throughput.EventsDelivered % 3);
        var perClient = result.Throughput.EventsDelivered / 3;
        Assert.True(perClient >= published - 2 && perClient <= published, $"published {published}, delivered {perClient} to each of 3 clients");
        Assert.Equal(result.Throughput.EventsDelivered, result.Latency.Event.Count);
        Assert.Equal(3, result.Clients);
        Assert.Equal(0, after.RatePerSecond); // the target's own setting, restored
        Assert.False(results.Environment.TargetStartedByEngine);
        Assert.Equal(64, results.Environment.ScenarioHash.Length);
        Assert.True(result.Server.CpuMs > 0);
    }

    [Fact]
    public async Task RunAsync_WarmsTheTargetOnEachTransportOfThePlan_AndLeavesItOutOfTheResults()
    {
        await using var host = await RunningTarget.StartAsync();

        var results = await ScenarioRunner.RunAsync(Plan(TransportIds.WebSocket, 2, 20),
            new RunOptions { TargetUrl = host.BaseAddress, TargetWarmUp = TimeSpan.FromMilliseconds(500) }, null, CancellationToken.None);

        var stats = (await host.Http.GetFromJsonAsync(FeedRoutes.Stats, ContractsJson.Default.StatsSnapshot))!;
        // Ten warm-up sessions plus the scenario's two; no other transport was touched.
        Assert.Equal(12, stats.Transports[TransportIds.WebSocket].Requests);
        Assert.Equal(0, stats.Transports[TransportIds.Sse].Requests);
        var result = Assert.Single(results.Scenarios);
        Assert.Equal("ws_2", result.Name);
        Assert.Equal(2, result.Clients);
    }

    [Fact]
    public async Task RunAsync_StartedTarget_RunsAndStopsIt()
    {
        var results = await ScenarioRunner.RunAsync(
            Plan(TransportIds.WebSocket, 2, 10), new RunOptions { TargetProcess = TargetProcessTests.RealTarget() }, null, CancellationToken.None);

        var result = Assert.Single(results.Scenarios);
        Assert.True(results.Environment.TargetStartedByEngine);
        Assert.True(result.Throughput.EventsDelivered >= 2 * 15, $"delivered {result.Throughput.EventsDelivered}");
        Assert.Equal(0, result.Integrity.Lost);
        Assert.True(result.Server.CpuMsPer1000Events > 0);
        Assert.True(result.Bytes.PerEvent.Payload > 64);

        // The document survives a write and a read.
        var read = ResultsFile.Parse(ResultsFile.Serialize(results), "results.json");
        Assert.Equal(result.Latency.Event, read.Scenarios[0].Latency.Event);
    }
}
