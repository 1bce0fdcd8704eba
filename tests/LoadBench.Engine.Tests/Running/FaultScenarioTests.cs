using LoadBench.Contracts;
using LoadBench.Engine.Running;
using LoadBench.Engine.Scenarios;
using LoadBench.Results;

namespace LoadBench.Engine.Tests.Running;

/// <summary>
/// A short version of scenarios/faults.json with the real clients against the real target: aborted connections,
/// then a feed restart, inside the measured phase — and nothing lost or duplicated on any transport. The four
/// transports run side by side, each against a target of its own (an abort takes a share of all the target's feed
/// connections), so the test takes one scenario's time.
/// </summary>
public sealed class FaultScenarioTests
{
    private const int Clients = 40;

    private static ScenarioPlan Plan(string transport) => ScenarioPlan.FromScenarios("faults_test",
    [
        new Scenario
        {
            Name = $"{transport}_faults",
            Transport = transport,
            WarmUp = TimeSpan.FromSeconds(1),
            Load = [new KeepConstant(Clients, TimeSpan.FromSeconds(9))],
            Feed = new FeedSpec(20, 64),
            Client = new ClientSpec { PollInterval = TimeSpan.FromMilliseconds(250), LongPollTimeout = TimeSpan.FromSeconds(5) },
            Faults =
            [
                // 5 % of 40 connections: two aborted every second for 5 s.
                new ScenarioFault(TimeSpan.FromSeconds(1), FaultKinds.Abort, 0.05, TimeSpan.FromSeconds(5)),
                new ScenarioFault(TimeSpan.FromSeconds(7), FaultKinds.Restart),
            ],
        },
    ]);

    [Fact]
    public async Task RunAsync_AbortsThenARestart_NothingLostOrDuplicated_ResetsNotCountedAsLoss()
    {
        var runs = TransportIds.All.Select(RunAsync).ToList();
        var results = await Task.WhenAll(runs);

        foreach (var result in results)
        {
            var why = $"{result.Transport}: {System.Text.Json.JsonSerializer.Serialize(result.Integrity)}, errors {string.Join(", ", result.Errors.ByKind)}, faults {System.Text.Json.JsonSerializer.Serialize(result.Faults)}";
            Assert.True(result.Integrity.Lost == 0, why);
            Assert.True(result.Integrity.Duplicates == 0, why);
            // The target aborts TCP connections that carried a feed request, a short poller's idle keep-alive one too.
            Assert.True(result.Integrity.Reconnects > 0, why);

            // Every client was following the feed when it restarted: each got exactly one reset.
            Assert.True(result.Integrity.Resets == Clients, why);
            Assert.NotNull(result.Integrity.LateEvents);
            Assert.True(result.Latency.Recovery is { Count: > 0 }, why);
            Assert.True(result.Errors.ByKind.GetValueOrDefault("fault_failed") == 0, why);

            // The target's own list, on the phase's time axis: the abort period, then the restart.
            Assert.NotNull(result.Faults);
            Assert.Equal([FaultKinds.Abort, FaultKinds.Restart], result.Faults.Select(f => f.Kind));
            var abort = result.Faults[0];
            Assert.Equal(0.05, abort.Fraction);
            Assert.InRange(abort.StartSeconds, 0.5, 9);
            Assert.InRange(abort.EndSeconds - abort.StartSeconds, 4.9, 5.1); // the target stamps start and end by its own clock: 5 s apart
            Assert.True(result.Faults[1].StartSeconds > abort.StartSeconds, why);
        }
    }

    private static async Task<ScenarioResult> RunAsync(string transport)
    {
        await using var host = await RunningTarget.StartAsync();
        var results = await ScenarioRunner.RunAsync(
            Plan(transport), new RunOptions { TargetUrl = host.BaseAddress, TargetWarmUp = TimeSpan.Zero }, null, CancellationToken.None);
        return Assert.Single(results.Scenarios);
    }
}
