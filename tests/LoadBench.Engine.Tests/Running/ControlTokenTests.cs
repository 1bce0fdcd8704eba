using LoadBench.Contracts;
using LoadBench.Engine.Running;
using LoadBench.Engine.Scenarios;
using LoadBench.Results;

namespace LoadBench.Engine.Tests.Running;

/// <summary><c>loadbench run --target URL --control-token TOKEN</c>: the engine's control calls carry the token.</summary>
public sealed class ControlTokenTests
{
    private const string Token = "engine-token-0123456789";

    private static ScenarioPlan Plan() => ScenarioPlan.FromScenarios("token_test",
    [
        new Scenario
        {
            Name = "poll_1",
            Transport = TransportIds.Polling,
            Load = [new KeepConstant(1, TimeSpan.FromSeconds(1))],
            Feed = new FeedSpec(20, 16),
        },
    ]);

    [Fact]
    public async Task RunAsync_TargetWithToken_WithTheToken_RunsAndSetsTheFeed()
    {
        await using var host = await RunningTarget.StartAsync("--control-token", Token);

        var results = await ScenarioRunner.RunAsync(Plan(),
            new RunOptions { TargetUrl = host.BaseAddress, ControlToken = Token, TargetWarmUp = TimeSpan.Zero }, null, CancellationToken.None);

        Assert.True(Assert.Single(results.Scenarios).Throughput.EventsDelivered > 0);
        // The target starts paused: only the runner's PUT /feed/settings, a control route, made it publish.
        Assert.True(host.Log.LatestSeq >= 10, $"published {host.Log.LatestSeq}");
    }

    [Fact]
    public async Task RunAsync_TargetWithToken_WithoutIt_FailsOnTheFirstControlCall_Saying401()
    {
        await using var host = await RunningTarget.StartAsync("--control-token", Token);

        // A failed call to the target stops the run, which keeps what it measured (nothing here) and says why.
        var results = await ScenarioRunner.RunAsync(Plan(),
            new RunOptions { TargetUrl = host.BaseAddress, TargetWarmUp = TimeSpan.Zero }, null, CancellationToken.None);

        var reason = Assert.IsType<IncompleteMark>(results.Incomplete).Reason;
        Assert.Contains("401", reason, StringComparison.Ordinal);
        Assert.Contains("--control-token", reason, StringComparison.Ordinal);
        Assert.All(results.Scenarios, s => Assert.Equal(0, s.Throughput.EventsDelivered));
        Assert.Equal(0, host.Log.LatestSeq); // the settings call was refused: the target never started publishing
    }
}
