using LoadBench.Contracts;
using LoadBench.Engine.Distributed;
using LoadBench.Engine.Distributed.Agent;
using LoadBench.Engine.Distributed.Coordinator;
using LoadBench.Engine.Running;
using LoadBench.Engine.Scenarios;

namespace LoadBench.Engine.Tests.Distributed;

/// <summary>
/// Two coordinated runs on one publisher at once (an SSE half and a WebSocket half, as scenarios/bench/scaleout-45k.sh
/// runs them): with a shared feed neither pauses the other, both count every event once, and each equals the target's
/// own count for its transport. Two load agents in this process over a real nats-server.
/// </summary>
public sealed class SharedFeedTests
{
    private const int Clients = 10;

    [Fact]
    public async Task TwoRunsOnASharedFeed_AtOnce_EachCountsEveryEventOnce_AndAWrongFeedIsRefused()
    {
        await using var nats = await NatsServer.StartAsync();
        // The caller sets the feed before the runs: a shared feed belongs to neither.
        await using var target = await RunningTarget.StartAsync("--rate", "5", "--payload-bytes", "64");
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var joined = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var log = new SynchronousProgress(line =>
        {
            if (line.Contains("joined run", StringComparison.Ordinal))
            {
                joined.TrySetResult();
            }
        });
        var agents = new[] { "a1", "a2" }.Select(name => LoadAgent.RunAsync(new AgentOptions { NatsUrl = nats.Url, Name = name }, log, stop.Token)).ToList();
        try
        {
            var before = await target.StatsAsync();
            var sse = DistributedRunner.RunAsync(Plan(TransportIds.Sse, 5), Options(nats.Url), null, stop.Token);
            // The second coordinator starts once the first holds its agent (each takes the first idle one it sees).
            await joined.Task.WaitAsync(TimeSpan.FromSeconds(60));
            await Task.Delay(TimeSpan.FromSeconds(1.5));
            var ws = DistributedRunner.RunAsync(Plan(TransportIds.WebSocket, 5), Options(nats.Url), null, stop.Token);
            var results = await Task.WhenAll(sse, ws);
            var after = await target.StatsAsync();

            foreach (var result in results)
            {
                Assert.Null(result.Incomplete);
                var scenario = Assert.Single(result.Scenarios);
                var why = $"{scenario.Name}: {System.Text.Json.JsonSerializer.Serialize(scenario.Integrity)}";
                Assert.Equal(Clients, scenario.Clients);
                Assert.True(scenario.Integrity.Lost == 0 && scenario.Integrity.Duplicates == 0, why);
                Assert.True(scenario.Throughput.EventsDelivered > 0, why);
                // The target's own count of what it wrote on this transport (the other run's clients are on the other one).
                // The shared feed is never paused, so an event written as a client was stopping may not have reached it:
                // at 5 events/s, at most one per subscriber.
                var sent = after.Transports[scenario.Transport].EventsSent - before.Transports[scenario.Transport].EventsSent;
                Assert.InRange(sent - scenario.Bytes.Events!.Value, 0, Clients);
            }

            Assert.NotEqual(results[0].Scenarios[0].Agents![0].Name, results[1].Scenarios[0].Agents![0].Name);
            // Neither paused nor restored the feed: it runs as the caller set it.
            Assert.Equal(5, (await target.InfoAsync()).RatePerSecond);

            // A scenario that wants another feed than the shared one would report figures it did not measure.
            var wrong = await Assert.ThrowsAsync<DistributedRunException>(
                () => DistributedRunner.RunAsync(Plan(TransportIds.Sse, 10), Options(nats.Url), null, stop.Token));
            Assert.Contains("shared feed runs 5 events/s", wrong.Message, StringComparison.Ordinal);
        }
        finally
        {
            await stop.CancelAsync();
            foreach (var agent in agents)
            {
                try
                {
                    await agent;
                }
                catch (OperationCanceledException)
                {
                }
            }
        }

        DistributedRunOptions Options(string natsUrl) => new()
        {
            NatsUrl = natsUrl,
            Agents = 1,
            SharedFeed = true,
            Run = new RunOptions { TargetUrl = target.BaseAddress },
        };
    }

    private static ScenarioPlan Plan(string transport, double rate) => ScenarioPlan.FromScenarios($"shared_{transport}", [new Scenario
    {
        Name = $"{transport}_{Clients}",
        Transport = transport,
        WarmUp = TimeSpan.FromSeconds(1),
        Load = [new KeepConstant(Clients, TimeSpan.FromSeconds(3))],
        Feed = new FeedSpec(rate, 64),
    }]);

    /// <summary>Reports on the caller's thread (Progress&lt;T&gt; would post to the thread pool, after the fact).</summary>
    private sealed class SynchronousProgress(Action<string> report) : IProgress<string>
    {
        public void Report(string value) => report(value);
    }
}
