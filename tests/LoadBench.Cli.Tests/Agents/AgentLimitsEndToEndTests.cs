using System.Net.Http.Json;
using LoadBench.Cli.Tests.TestSupport;
using LoadBench.Contracts;
using LoadBench.Results;

namespace LoadBench.Cli.Tests.Agents;

/// <summary>
/// `loadbench limits FILE --nats … --agents 2` with two `loadbench agent` processes and a real nats-server, against
/// one target in this process. The SLO's breaking point is known by arithmetic (20 events/s to each subscriber:
/// "events/s ≤ 50" holds at 2 subscribers, breaks at 3), and the target's /stats count what the agents received.
/// </summary>
public sealed class AgentLimitsEndToEndTests : IAsyncLifetime
{
    private static readonly TimeSpan AgentStart = TimeSpan.FromSeconds(60);
    private AgentRig? _rig;

    private AgentRig Rig => _rig!;

    private NatsServer Nats => Rig.Nats;

    private RunningTarget Target => Rig.Target;

    private string Output => Rig.Output;

    private List<BackgroundLoadBench> Agents => Rig.Agents;

    public async Task InitializeAsync() => _rig = await AgentRig.StartAsync("loadbench-agent-limits-");

    public async Task DisposeAsync()
    {
        if (_rig is not null)
        {
            await _rig.DisposeAsync();
        }
    }

    [Fact]
    public async Task LimitsOverTwoAgents_FindsTheKnownPoint_StepsCarriedByBoth_LabelJudgesTheTargetsMachine()
    {
        for (var i = 1; i <= 2; i++)
        {
            Agents.Add(BackgroundLoadBench.Start("agent", "--nats", Nats.Url, "--name", $"agent-{i}"));
        }

        foreach (var agent in Agents)
        {
            await agent.WaitForOutputAsync("waiting for a coordinator", AgentStart);
        }

        // A warm-up per step: the agents' clients connect and the publisher (unpaused at the start instant) runs
        // before the window opens. Without it, connects and the first publish fall inside a 2 s window, and on a
        // busy CI machine 3 subscribers once measured under 50 events/s (expected 60).
        var plan = Path.Combine(Output, "plan.json");
        await File.WriteAllTextAsync(plan, """
            { "name": "limits_agents", "scenarios": [
              { "name": "sse_rate", "transport": "sse", "warmUp": "1s", "feed": { "ratePerSecond": 20, "payloadBytes": 64 },
                "load": [ { "model": "KeepConstant", "copies": 2, "during": "1s" } ],
                "search": { "vary": "copies", "from": 2, "to": 8, "step": "2s", "slo": ["throughput/events_per_second <= 50/s"] } } ] }
            """);
        var sentBefore = (await StatsAsync()).Transports[TransportIds.Sse].EventsSent;

        var run = await LoadBenchProcess.RunAsync(TimeSpan.FromMinutes(2),
            "limits", plan, "--nats", Nats.Url, "--agents", "2", "--target", Target.BaseAddress.ToString(), "--quiet", "--output", Path.Combine(Output, "out"));

        Assert.True(run.ExitCode == 0, $"exit {run.ExitCode}\n{run.StandardOutput}\n{run.StandardError}\n{string.Join("\n", Agents.Select(a => a.Output))}");
        var results = await ResultsFile.ReadAsync(Path.Combine(Output, "out", "results.json"), CancellationToken.None);
        var limit = Assert.Single(results.Limits!);
        Assert.True(limit.Complete);
        Assert.Null(results.Incomplete);
        // 2 (40/s) met, 4 (80/s) broke, 3 (60/s) broke: within one client of the known point.
        Assert.Equal([2.0, 4.0, 3.0], limit.Steps.Select(s => s.Level));
        Assert.Equal((2.0, 3.0), (limit.HighestMet!.Value, limit.FirstFailed!.Value));
        Assert.StartsWith("throughput/events_per_second <= 50/s (was", limit.BrokenRule);

        // Every step was carried by both agents, the clients split between them; the target's own count of SSE events
        // written equals what the agents counted, summed over the steps.
        Assert.All(results.Scenarios, s => Assert.Equal(["agent-1", "agent-2"], s.Agents!.Select(a => a.Name)));
        Assert.Equal([2, 4, 3], results.Scenarios.Select(s => s.Agents!.Sum(a => a.Clients)));
        var sent = (await StatsAsync()).Transports[TransportIds.Sse].EventsSent - sentBefore;
        Assert.Equal(sent, results.Scenarios.Sum(s => s.Bytes.Events!.Value));

        // The engine's cost is the agents' (their processes did the clients' work); the label judges the target's machine.
        Assert.All(limit.Steps, s => Assert.True(s.EngineCores > 0, $"agents' cores {s.EngineCores} at {s.Level}"));
        var decisive = limit.Steps.Single(s => s.Level == 3);
        var expected = decisive.TargetCores >= 0.9 * Environment.ProcessorCount
            ? "the target's limit (it used at least 90 % of its machine's cores; load from 2 agents)"
            : decisive.MachineBusy is null ? "the target's limit (load from 2 agents; this machine's load is unknown, so agents on the target's cores are not ruled out)"
            : decisive.MachineBusy >= 0.9 ? "machine-bound (the target's machine was at least 90 % busy: load agents or other processes share its cores; load from 2 agents)"
            : "the target's limit (load from 2 agents; the target's machine below 90 % busy)";
        Assert.Equal(expected, limit.Label);
        Assert.Contains("on 2 load agent(s)", run.StandardOutput, StringComparison.Ordinal);
    }

    private async Task<StatsSnapshot> StatsAsync() =>
        (await Target.Http.GetFromJsonAsync(FeedRoutes.Stats, ContractsJson.Default.StatsSnapshot))!;
}
