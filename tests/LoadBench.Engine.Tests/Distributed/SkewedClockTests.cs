using System.Net.Http.Json;
using LoadBench.Contracts;
using LoadBench.Engine.Distributed.Agent;
using LoadBench.Engine.Distributed.Clock;
using LoadBench.Engine.Distributed.Coordinator;
using LoadBench.Engine.Running;
using LoadBench.Engine.Scenarios;

namespace LoadBench.Engine.Tests.Distributed;

/// <summary>Two load agents in this process over a real nats-server, one of them with its clock 300 ms fast.</summary>
public sealed class SkewedClockTests
{
    private static readonly TimeSpan Skew = TimeSpan.FromMilliseconds(300);

    [Fact]
    public async Task ClockOffsetEstimator_AgainstTheTarget_FindsASkewWithinItsUncertainty()
    {
        await using var target = await RunningTarget.StartAsync();
        using var control = new HttpClient { BaseAddress = target.BaseAddress };

        var offset = await ClockOffsetEstimator.EstimateAsync(control, new SkewedClock(Skew), 8, CancellationToken.None);

        // The target runs on this machine's clock, so the truth is exactly −300 ms.
        Assert.InRange(offset.OffsetMicros, -300_000 - offset.UncertaintyMicros - 1000, -300_000 + offset.UncertaintyMicros + 1000);
    }

    [Fact]
    public async Task AgentWithSkewedClock_HasTheSameP50AsAnUnskewedAgent_WithinTwoMs()
    {
        await using var nats = await NatsServer.StartAsync();
        await using var target = await RunningTarget.StartAsync();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var plain = LoadAgent.RunAsync(new AgentOptions { NatsUrl = nats.Url, Name = "plain" }, null, stop.Token);
        var skewed = LoadAgent.RunAsync(new AgentOptions { NatsUrl = nats.Url, Name = "skewed", TimeProvider = new SkewedClock(Skew) }, null, stop.Token);
        try
        {
            var plan = ScenarioPlan.FromScenarios("skew", [new Scenario
            {
                Name = "sse_20",
                Transport = TransportIds.Sse,
                Load = [new KeepConstant(20, TimeSpan.FromSeconds(4))],
                Feed = new FeedSpec(50, 64),
                WarmUp = TimeSpan.FromSeconds(1),
            }]);
            var options = new DistributedRunOptions
            {
                NatsUrl = nats.Url,
                Agents = 2,
                Run = new RunOptions { TargetUrl = target.BaseAddress },
            };

            var results = await DistributedRunner.RunAsync(plan, options, null, stop.Token);

            var scenario = Assert.Single(results.Scenarios);
            Assert.Null(results.Incomplete);
            var agents = scenario.Agents!.ToDictionary(a => a.Name);
            Assert.Equal(10, agents["plain"].Clients);
            Assert.Equal(10, agents["skewed"].Clients);
            // The estimate found the skew (publisher minus agent: −300 ms) ...
            Assert.InRange(agents["skewed"].ClockOffsetMs, -300 - agents["skewed"].ClockUncertaintyMs - 1, -300 + agents["skewed"].ClockUncertaintyMs + 1);
            // ... and took it out of the latencies: uncorrected, the skewed agent's p50 would be 300 ms higher.
            Assert.InRange(agents["skewed"].P50Ms!.Value - agents["plain"].P50Ms!.Value, -2, 2);
            Assert.Equal(0, scenario.Integrity.Lost);
            Assert.Equal(0, scenario.Integrity.Duplicates);
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(Quietly(plain), Quietly(skewed));
        }
    }

    private static async Task Quietly(Task task)
    {
        try
        {
            await task;
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>This machine's clock, its wall time <paramref name="skew"/> ahead; durations untouched.</summary>
    private sealed class SkewedClock(TimeSpan skew) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + skew;
    }
}
