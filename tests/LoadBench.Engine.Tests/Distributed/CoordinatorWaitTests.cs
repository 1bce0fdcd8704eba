using System.Net;
using System.Net.Sockets;
using LoadBench.Contracts;
using LoadBench.Engine.Distributed;
using LoadBench.Engine.Distributed.Agent;
using LoadBench.Engine.Distributed.Coordinator;
using LoadBench.Engine.Running;
using LoadBench.Engine.Scenarios;

namespace LoadBench.Engine.Tests.Distributed;

/// <summary>Nothing waits forever: too few agents and an unreachable NATS end with an error that says what to do.</summary>
public sealed class CoordinatorWaitTests
{
    [Fact]
    public async Task TooFewAgents_FailsAfterTheWait_NamingWhoAnswered()
    {
        await using var nats = await NatsServer.StartAsync();
        await using var target = await RunningTarget.StartAsync();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var agent = LoadAgent.RunAsync(new AgentOptions { NatsUrl = nats.Url, Name = "only-one" }, null, stop.Token);
        try
        {
            var options = new DistributedRunOptions
            {
                NatsUrl = nats.Url,
                Agents = 2,
                AgentWait = TimeSpan.FromSeconds(3),
                Run = new RunOptions { TargetUrl = target.BaseAddress },
            };

            var error = await Assert.ThrowsAsync<DistributedRunException>(() => DistributedRunner.RunAsync(Plan(), options, null, stop.Token));

            Assert.Contains("for 2 idle load agent(s)", error.Message, StringComparison.Ordinal);
            Assert.Contains("1 answered (only-one)", error.Message, StringComparison.Ordinal);
            // The target was never touched: still paused, nothing published.
            Assert.Equal(0, target.Log.Info().LatestSeq);
        }
        finally
        {
            await stop.CancelAsync();
            try
            {
                await agent;
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    [Fact]
    public async Task ViaAProxy_IsRefusedBeforeNatsOrTheTarget_InsteadOfRunningDirectUnderTheProxysName()
    {
        await using var target = await RunningTarget.StartAsync();
        var plan = ScenarioPlan.FromScenarios("via_agents",
        [
            Plan().Scenarios[0] with { Setup = new ConnectionSetup { Via = "http://127.0.0.1:9/" } },
        ]);
        var options = new DistributedRunOptions
        {
            NatsUrl = "nats://127.0.0.1:9", // never reached: the refusal comes first
            Agents = 1,
            Run = new RunOptions { TargetUrl = target.BaseAddress },
        };

        var error = await Assert.ThrowsAsync<ArgumentException>(() => DistributedRunner.RunAsync(plan, options, null, CancellationToken.None));

        Assert.Contains("via \"http://127.0.0.1:9/\"", error.Message, StringComparison.Ordinal);
        Assert.Contains("without --agents", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, target.Stats.Snapshot().Transports[TransportIds.Sse].Requests);
    }

    [Fact]
    public async Task NatsUnreachable_FailsWithTheAddress()
    {
        await using var target = await RunningTarget.StartAsync();
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop(); // a port nobody listens on
        var options = new DistributedRunOptions
        {
            NatsUrl = $"nats://127.0.0.1:{port}",
            Agents = 1,
            Run = new RunOptions { TargetUrl = target.BaseAddress },
        };

        var error = await Assert.ThrowsAsync<DistributedRunException>(() => DistributedRunner.RunAsync(Plan(), options, null, CancellationToken.None));

        Assert.Contains($"127.0.0.1:{port}", error.Message, StringComparison.Ordinal);
    }

    private static ScenarioPlan Plan() => ScenarioPlan.FromScenarios("wait", [new Scenario
    {
        Name = "sse_2",
        Transport = TransportIds.Sse,
        Load = [new KeepConstant(2, TimeSpan.FromSeconds(1))],
        Feed = new FeedSpec(10, 64),
    }]);
}
