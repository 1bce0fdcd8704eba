using System.Net.Http.Json;
using LoadBench.Cli.Tests.TestSupport;
using LoadBench.Contracts;
using LoadBench.Results;

namespace LoadBench.Cli.Tests.Agents;

/// <summary>
/// `loadbench run --nats … --agents 3` with three `loadbench agent` processes and a real nats-server, against one
/// target in this process: its /stats are the independent count the merged results must match.
/// </summary>
public sealed class AgentsEndToEndTests : IAsyncLifetime
{
    private static readonly TimeSpan AgentStart = TimeSpan.FromSeconds(60);
    private AgentRig? _rig;

    private AgentRig Rig => _rig!;

    private NatsServer Nats => Rig.Nats;

    private RunningTarget Target => Rig.Target;

    private string Output => Rig.Output;

    private List<BackgroundLoadBench> Agents => Rig.Agents;

    public async Task InitializeAsync() => _rig = await AgentRig.StartAsync("loadbench-agents-");

    public async Task DisposeAsync()
    {
        if (_rig is not null)
        {
            await _rig.DisposeAsync();
        }
    }

    [Fact]
    public async Task ThreeAgents_EveryEventOnce_MergedCountIsSubscribersTimesPublished_AndTheTargetsEventsSent()
    {
        await StartAgentsAsync(3);
        var plan = WritePlan("""
            { "name": "agents_count", "defaults": { "feed": { "ratePerSecond": 20, "payloadBytes": 64 } },
              "scenarios": [
                { "name": "sse_150", "transport": "sse", "load": [ { "model": "KeepConstant", "copies": 150, "during": "3s" } ] },
                { "name": "ws_150", "transport": "ws", "load": [ { "model": "KeepConstant", "copies": 150, "during": "3s" } ] } ] }
            """);
        var before = await StatsAsync();
        var published0 = (await InfoAsync()).LatestSeq;

        var run = await LoadBenchProcess.RunAsync(TimeSpan.FromMinutes(2),
            "run", plan, "--nats", Nats.Url, "--agents", "3", "--target", Target.BaseAddress.ToString(), "--quiet", "--output", Output);

        Assert.True(run.ExitCode == 0, $"exit {run.ExitCode}\n{run.StandardOutput}\n{run.StandardError}\n{AgentOutput()}");
        var results = await ResultsFile.ReadAsync(Path.Combine(Output, "results.json"), CancellationToken.None);
        var after = await StatsAsync();
        var published = (await InfoAsync()).LatestSeq - published0;
        Assert.Null(results.Incomplete);
        Assert.True(published > 0);
        foreach (var scenario in results.Scenarios)
        {
            Assert.Equal(150, scenario.Clients);
            Assert.Equal(0, scenario.Integrity.Lost);
            Assert.Equal(0, scenario.Integrity.Duplicates);
            Assert.Equal(0, scenario.Integrity.Reorders);
            Assert.Equal(["agent-1", "agent-2", "agent-3"], scenario.Agents!.Select(a => a.Name));
            Assert.All(scenario.Agents!, a => Assert.Equal(50, a.Clients));
            Assert.All(scenario.Agents!, a => Assert.Null(a.LostAt));

            // The target's own count of events written on this transport, against the merge of three agents' counts.
            var sent = after.Transports[scenario.Transport].EventsSent - before.Transports[scenario.Transport].EventsSent;
            Assert.Equal(sent, scenario.Bytes.Events);
        }

        // The publisher is paused between scenarios, so every event published went to all 150 subscribers of exactly one scenario.
        Assert.Equal(150 * published, results.Scenarios.Sum(s => s.Bytes.Events!.Value));
        var report = await File.ReadAllTextAsync(Path.Combine(Output, "report.md"));
        Assert.Contains("## Load agents", report, StringComparison.Ordinal);
        Assert.Contains("agent-2", report, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AgentKilledMidRun_IsNamedWithTheTimeItWasLost_OthersFinish_Exit4()
    {
        await StartAgentsAsync(3);
        var plan = WritePlan("""
            { "name": "agents_dead_agent", "defaults": { "feed": { "ratePerSecond": 10, "payloadBytes": 64 } },
              "scenarios": [
                { "name": "sse_30", "transport": "sse", "load": [ { "model": "KeepConstant", "copies": 30, "during": "10s" } ] },
                { "name": "ws_30", "transport": "ws", "load": [ { "model": "KeepConstant", "copies": 30, "during": "2s" } ] } ] }
            """);
        await using var coordinator = BackgroundLoadBench.Start(
            "run", plan, "--nats", Nats.Url, "--agents", "3", "--target", Target.BaseAddress.ToString(), "--quiet", "--output", Output);

        await WaitForOpenConnectionsAsync(TransportIds.Sse, 30, TimeSpan.FromSeconds(60), coordinator);
        var killedAt = DateTimeOffset.UtcNow;
        Agents[1].Kill();
        var exit = await coordinator.WaitForExitAsync(TimeSpan.FromMinutes(1));

        Assert.True(exit == 4, $"exit {exit}\n{coordinator.Output}");
        var results = await ResultsFile.ReadAsync(Path.Combine(Output, "results.json"), CancellationToken.None);
        Assert.NotNull(results.Incomplete);
        Assert.Contains("agent-2", results.Incomplete!.Reason, StringComparison.Ordinal);
        // The run ended with the scenario under way: the second one never started.
        var scenario = Assert.Single(results.Scenarios);
        Assert.NotNull(scenario.Incomplete);
        var lost = Assert.Single(scenario.Agents!, a => a.LostAt is not null);
        Assert.Equal("agent-2", lost.Name);
        Assert.InRange(lost.LostAt!.Value - killedAt, TimeSpan.Zero, TimeSpan.FromSeconds(3));
        Assert.All(scenario.Agents!.Where(a => a.Name != "agent-2"), a => Assert.True(a.EventsDelivered > 0 && a.Clients == 10, a.Name));
        Assert.Equal(20, scenario.Clients);
        Assert.Contains("incomplete", coordinator.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CoordinatorKilledMidRun_EveryAgentStopsItsClientsWithinFiveSeconds()
    {
        await StartAgentsAsync(3);
        var plan = WritePlan("""
            { "name": "agents_dead_coordinator", "defaults": { "feed": { "ratePerSecond": 10, "payloadBytes": 64 } },
              "scenarios": [ { "name": "sse_30", "transport": "sse", "load": [ { "model": "KeepConstant", "copies": 30, "during": "60s" } ] } ] }
            """);
        await using var coordinator = BackgroundLoadBench.Start(
            "run", plan, "--nats", Nats.Url, "--agents", "3", "--target", Target.BaseAddress.ToString(), "--quiet", "--output", Output);
        await WaitForOpenConnectionsAsync(TransportIds.Sse, 30, TimeSpan.FromSeconds(60), coordinator);

        coordinator.Kill();
        var killed = DateTime.UtcNow;
        // The target's count of open SSE streams is the truth: no orphan load.
        while ((await StatsAsync()).Transports[TransportIds.Sse].OpenConnections > 0)
        {
            Assert.True(DateTime.UtcNow - killed < TimeSpan.FromSeconds(5),
                $"SSE streams still open {DateTime.UtcNow - killed} after the coordinator died\n{AgentOutput()}");
            await Task.Delay(100);
        }

        // The agents themselves live on, idle, ready for the next coordinator.
        Assert.All(Agents, a => Assert.False(a.HasExited, a.Output));
        foreach (var agent in Agents)
        {
            await agent.WaitForOutputAsync("fell silent", TimeSpan.FromSeconds(10));
        }
    }

    [Fact]
    public async Task AgentWithItsThreadPoolStarved_IsNotTakenForLost_AndKeepsItsCoordinator_RunCompletes()
    {
        // agent-1 blocks every thread of its own pool for 6 s, 1 s into the scenario (a test-only switch read by the
        // agent alone): the state of an agent with thousands of busy clients on an overloaded machine. Its heartbeats
        // and its watchdog run on a thread of their own, so neither side may give the other up.
        Agents.Add(BackgroundLoadBench.Start(
            new Dictionary<string, string> { ["LOADBENCH_TEST_STARVE_POOL"] = "1:6" }, "agent", "--nats", Nats.Url, "--name", "agent-1"));
        Agents.Add(BackgroundLoadBench.Start("agent", "--nats", Nats.Url, "--name", "agent-2"));
        foreach (var agent in Agents)
        {
            await agent.WaitForOutputAsync("waiting for a coordinator", AgentStart);
        }

        var plan = WritePlan("""
            { "name": "agents_starved_pool", "defaults": { "feed": { "ratePerSecond": 10, "payloadBytes": 64 } },
              "scenarios": [ { "name": "sse_20", "transport": "sse", "warmUp": "1s", "load": [ { "model": "KeepConstant", "copies": 20, "during": "10s" } ] } ] }
            """);
        // Not --quiet: the coordinator's live lines say when an agent was silent long enough to be asked about.
        await using var coordinator = BackgroundLoadBench.Start(
            "run", plan, "--nats", Nats.Url, "--agents", "2", "--target", Target.BaseAddress.ToString(), "--output", Output);
        var exit = await coordinator.WaitForExitAsync(TimeSpan.FromMinutes(2));

        Assert.True(exit == 0, $"exit {exit}\n{coordinator.Output}\n{AgentOutput()}");
        // The starvation happened: a work item queued behind the blockers waited (most of) the 6 s.
        await Agents[0].WaitForOutputAsync("thread-pool starvation over", TimeSpan.FromSeconds(30));
        var waited = System.Text.RegularExpressions.Regex.Match(Agents[0].Output, @"blockers waited (\d+\.\d) s");
        Assert.True(waited.Success && double.Parse(waited.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) >= 4, Agents[0].Output);
        var results = await ResultsFile.ReadAsync(Path.Combine(Output, "results.json"), CancellationToken.None);
        Assert.Null(results.Incomplete);
        var scenario = Assert.Single(results.Scenarios);
        Assert.All(scenario.Agents!, a => Assert.True(a.LostAt is null && a.Clients == 10, a.Name));
        Assert.Equal(0, scenario.Integrity.Lost);
        // Never even silent long enough to be asked about (the probe would have saved a paused agent too; this test is
        // about the heartbeats themselves arriving on time): neither side's line mentions a silence.
        Assert.DoesNotContain("silent", AgentOutput(), StringComparison.Ordinal);
        Assert.DoesNotContain("silent", coordinator.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NatsKilledMidRun_AgentsStopTheirClients_CoordinatorFailsWithinSeconds()
    {
        await StartAgentsAsync(2);
        var plan = WritePlan("""
            { "name": "agents_dead_nats", "defaults": { "feed": { "ratePerSecond": 10, "payloadBytes": 64 } },
              "scenarios": [ { "name": "sse_20", "transport": "sse", "load": [ { "model": "KeepConstant", "copies": 20, "during": "60s" } ] } ] }
            """);
        await using var coordinator = BackgroundLoadBench.Start(
            "run", plan, "--nats", Nats.Url, "--agents", "2", "--target", Target.BaseAddress.ToString(), "--quiet", "--output", Output);
        await WaitForOpenConnectionsAsync(TransportIds.Sse, 20, TimeSpan.FromSeconds(60), coordinator);

        Nats.Kill();
        var killed = DateTime.UtcNow;
        while ((await StatsAsync()).Transports[TransportIds.Sse].OpenConnections > 0)
        {
            Assert.True(DateTime.UtcNow - killed < TimeSpan.FromSeconds(5),
                $"SSE streams still open {DateTime.UtcNow - killed} after NATS died\n{AgentOutput()}");
            await Task.Delay(100);
        }

        // Not the scenario's 60 s: the coordinator gives up once every agent is lost.
        var exit = await coordinator.WaitForExitAsync(TimeSpan.FromSeconds(20));
        Assert.True(exit == ExitCodes.RunFailed, $"exit {exit}\n{coordinator.Output}");
        Assert.Contains("is NATS still up?", coordinator.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Agent_OnSigterm_StopsAndExits130()
    {
        await StartAgentsAsync(1);

        Agents[0].Terminate();

        // Scripts stop their agents with SIGTERM (scenarios/bench/scaleout-45k.sh): the first one must end it.
        var exit = await Agents[0].WaitForExitAsync(TimeSpan.FromSeconds(30));
        Assert.True(exit == ExitCodes.Interrupted, $"exit {exit}\n{Agents[0].Output}");
    }

    private async Task StartAgentsAsync(int count)
    {
        for (var i = 1; i <= count; i++)
        {
            Agents.Add(BackgroundLoadBench.Start("agent", "--nats", Nats.Url, "--name", $"agent-{i}"));
        }

        foreach (var agent in Agents)
        {
            await agent.WaitForOutputAsync("waiting for a coordinator", AgentStart);
        }
    }

    private async Task WaitForOpenConnectionsAsync(string transport, long count, TimeSpan timeout, BackgroundLoadBench coordinator)
    {
        var deadline = DateTime.UtcNow + timeout;
        while ((await StatsAsync()).Transports[transport].OpenConnections < count)
        {
            Assert.True(DateTime.UtcNow < deadline && !coordinator.HasExited,
                $"{count} {transport} connections did not open within {timeout}\n{coordinator.Output}\n{AgentOutput()}");
            await Task.Delay(100);
        }
    }

    private string WritePlan(string json)
    {
        var path = Path.Combine(Output, "plan.json");
        File.WriteAllText(path, json);
        return path;
    }

    private async Task<StatsSnapshot> StatsAsync() =>
        (await Target.Http.GetFromJsonAsync(FeedRoutes.Stats, ContractsJson.Default.StatsSnapshot))!;

    private async Task<FeedInfo> InfoAsync() =>
        (await Target.Http.GetFromJsonAsync(FeedRoutes.Info, ContractsJson.Default.FeedInfo))!;

    private string AgentOutput() => string.Join("\n", Agents.Select(a => a.Output));
}
