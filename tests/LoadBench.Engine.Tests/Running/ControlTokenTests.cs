using LoadBench.Contracts;
using LoadBench.Engine.Running;
using LoadBench.Engine.Scenarios;

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

        var failure = await Assert.ThrowsAsync<HttpRequestException>(() => ScenarioRunner.RunAsync(Plan(),
            new RunOptions { TargetUrl = host.BaseAddress, TargetWarmUp = TimeSpan.Zero }, null, CancellationToken.None));

        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, failure.StatusCode);
        Assert.Contains("--control-token", failure.Message, StringComparison.Ordinal);
    }
}
