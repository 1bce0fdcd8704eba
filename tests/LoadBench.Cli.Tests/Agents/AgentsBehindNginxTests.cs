using LoadBench.Cli.Tests.TestSupport;
using LoadBench.Contracts;
using LoadBench.Results;

namespace LoadBench.Cli.Tests.Agents;

/// <summary>
/// The whole scaled-out picture on one machine: a coordinator and three <c>loadbench agent</c> processes over a real
/// nats-server, their clients through a real nginx (the repository's configuration) to two replicas that follow the
/// publisher over JetStream. The replicas' own <c>eventsSent</c> — counted on their sockets, in another program than
/// the merge — is the independent truth the merged results must equal.
/// </summary>
public sealed class AgentsBehindNginxTests : IAsyncLifetime
{
    private const int PerScenario = 150;
    private readonly string _output = Path.Combine(Path.GetTempPath(), "loadbench-agents-nginx-" + Guid.NewGuid().ToString("N"));
    private readonly List<BackgroundLoadBench> _agents = [];
    private ScaledOutFeed? _feed;

    private ScaledOutFeed Feed => _feed!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_output);
        _feed = await ScaledOutFeed.StartAsync(replicas: 2);
    }

    public async Task DisposeAsync()
    {
        foreach (var agent in _agents)
        {
            await agent.DisposeAsync();
        }

        if (_feed is not null)
        {
            await _feed.DisposeAsync();
        }

        if (Directory.Exists(_output))
        {
            Directory.Delete(_output, recursive: true);
        }
    }

    [Fact]
    public async Task ThreeAgentsThroughNginx_TwoReplicas_EveryEventOnce_MergedCountIsSubscribersTimesPublished_AndTheReplicasEventsSent()
    {
        // One NATS server for both jobs, as in a deployment: the feed's stream and the agents' subjects.
        for (var i = 1; i <= 3; i++)
        {
            _agents.Add(BackgroundLoadBench.Start("agent", "--nats", Feed.NatsUrl.ToString(), "--name", $"agent-{i}"));
        }

        foreach (var agent in _agents)
        {
            await agent.WaitForOutputAsync("waiting for a coordinator", TimeSpan.FromSeconds(60));
        }

        var plan = Path.Combine(_output, "plan.json");
        await File.WriteAllTextAsync(plan, $$"""
            { "name": "agents_nginx", "defaults": { "feed": { "ratePerSecond": 20, "payloadBytes": 64 } },
              "scenarios": [
                { "name": "sse_{{PerScenario}}", "transport": "sse", "load": [ { "model": "KeepConstant", "copies": {{PerScenario}}, "during": "3s" } ] },
                { "name": "ws_{{PerScenario}}", "transport": "ws", "load": [ { "model": "KeepConstant", "copies": {{PerScenario}}, "during": "3s" } ] } ] }
            """);
        var (first, second) = (Feed.Replicas[0], Feed.Replicas[1]);
        var before = Sent();
        var published0 = Feed.Publisher.Log.LatestSeq;

        var run = await LoadBenchProcess.RunAsync(TimeSpan.FromMinutes(3),
            "run", plan, "--nats", Feed.NatsUrl.ToString(), "--agents", "3",
            "--target", Feed.Proxy.ToString(), "--control-url", Feed.Publisher.BaseAddress.ToString(),
            "--stats-url", first.BaseAddress.ToString(), "--stats-url", second.BaseAddress.ToString(),
            "--stats-pid", Feed.NginxPid.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--quiet", "--output", _output);

        var agentOutput = string.Join("\n", _agents.Select(a => a.Output));
        Assert.True(run.ExitCode == 0, $"exit {run.ExitCode}\n{run.StandardOutput}\n{run.StandardError}\n{agentOutput}");
        var results = await ResultsFile.ReadAsync(Path.Combine(_output, "results.json"), CancellationToken.None);
        var after = Sent();
        var published = Feed.Publisher.Log.LatestSeq - published0;
        Assert.Null(results.Incomplete);
        Assert.True(published > 0);
        Assert.Equal(Feed.Publisher.BaseAddress.ToString(), results.Environment.ControlUrl);
        Assert.Equal(2, results.Scenarios.Count);
        foreach (var scenario in results.Scenarios)
        {
            var why = $"{scenario.Name}: {System.Text.Json.JsonSerializer.Serialize(scenario.Integrity)}\n{agentOutput}";
            Assert.Equal(PerScenario, scenario.Clients);
            Assert.True(scenario.Integrity.Lost == 0, why);
            Assert.True(scenario.Integrity.Duplicates == 0, why);
            Assert.True(scenario.Integrity.Reorders == 0, why);
            Assert.Equal(["agent-1", "agent-2", "agent-3"], scenario.Agents!.Select(a => a.Name));
            Assert.All(scenario.Agents!, a => Assert.Equal(PerScenario / 3, a.Clients));

            // The replicas' own count of events written on this transport (behind nginx, on their sockets) against the
            // merge of three agents' counts on the other side of the proxy.
            var sent = after[scenario.Transport] - before[scenario.Transport];
            Assert.Equal(sent, scenario.Bytes.Events);
            // The engine's proxy ↔ target leg sums the publisher and both --stats-url: the same events.
            Assert.Equal(sent, scenario.ServerBytes!.Events);
        }

        // The publisher is paused between scenarios, so every event published went to all subscribers of exactly one scenario.
        Assert.Equal(PerScenario * published, results.Scenarios.Sum(s => s.Bytes.Events!.Value));
        // nginx spread the subscribers over both replicas, and none of them reached the publisher.
        Assert.True(first.Stats.Snapshot().Transports.Values.Sum(t => t.EventsSent) > 0, "nginx sent no subscriber to replica 1");
        Assert.True(second.Stats.Snapshot().Transports.Values.Sum(t => t.EventsSent) > 0, "nginx sent no subscriber to replica 2");
        Assert.Equal(0, Feed.Publisher.Stats.Snapshot().Transports.Values.Sum(t => t.EventsSent));
    }

    /// <summary>Events both replicas wrote, per transport, read in-process from their own counters.</summary>
    private Dictionary<string, long> Sent() =>
        new[] { TransportIds.Sse, TransportIds.WebSocket }.ToDictionary(
            t => t, t => Feed.Replicas.Sum(r => r.Stats.Snapshot().Transports[t].EventsSent), StringComparer.Ordinal);
}
