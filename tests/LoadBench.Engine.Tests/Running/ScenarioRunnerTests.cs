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

    [Fact]
    public async Task RunAsync_TargetStopsMidRun_ReturnsTheFinishedScenario_AndTheStoppedOneWithItsFiguresMarked_NamingTheFailure()
    {
        var host = await RunningTarget.StartAsync();
        try
        {
            var plan = ScenarioPlan.FromScenarios("runner_stop", [
                Scenario("sse_done", TransportIds.Sse, TimeSpan.FromSeconds(1)),
                Scenario("ws_cut", TransportIds.WebSocket, TimeSpan.FromSeconds(60)),
                Scenario("poll_never", TransportIds.Polling, TimeSpan.FromSeconds(1)),
            ]);
            var measuring = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var progress = new Progress<RunProgress>(p =>
            {
                if (p is { Scenario: "ws_cut", Phase: RunPhase.Measured, Elapsed.TotalSeconds: >= 1 })
                {
                    measuring.TrySetResult();
                }
            });

            var run = ScenarioRunner.RunAsync(plan, new RunOptions { TargetUrl = host.BaseAddress, TargetWarmUp = TimeSpan.Zero }, progress, CancellationToken.None);
            await measuring.Task.WaitAsync(TimeSpan.FromMinutes(1));
            await host.StopAsync();
            var results = await run.WaitAsync(TimeSpan.FromMinutes(1));

            Assert.Equal(["sse_done", "ws_cut"], results.Scenarios.Select(s => s.Name));
            Assert.Null(results.Scenarios[0].Incomplete);
            Assert.True(results.Scenarios[0].Throughput.EventsDelivered > 0);
            var cut = results.Scenarios[1];
            Assert.NotNull(cut.Incomplete);
            Assert.True(cut.Throughput.EventsDelivered > 0, "events before the stop are kept");
            Assert.True(cut.DurationSeconds is >= 1 and < 60, $"measured {cut.DurationSeconds} s");
            Assert.NotNull(results.Incomplete);
            Assert.StartsWith("the target failed: ", results.Incomplete.Reason, StringComparison.Ordinal);
            Assert.Contains("scenario 'ws_cut' stopped in its measured phase", results.Incomplete.Reason, StringComparison.Ordinal);
            Assert.Contains("not started: poll_never", results.Incomplete.Reason, StringComparison.Ordinal);
        }
        finally
        {
            await host.DisposeAsync();
        }
    }

    private static Scenario Scenario(string name, string transport, TimeSpan duration) => new()
    {
        Name = name,
        Transport = transport,
        Load = [new KeepConstant(3, duration)],
        Feed = new FeedSpec(20, 64),
    };
}
