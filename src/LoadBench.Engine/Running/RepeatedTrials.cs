using LoadBench.Engine.Scenarios;
using LoadBench.Results;

namespace LoadBench.Engine.Running;

/// <summary>
/// Runs a plan's scenarios <see cref="RunOptions.Repeat"/> times and pools each scenario's trials
/// (<see cref="TrialPooler"/>). The trials are interleaved per setup — for each setup (what the scenarios share
/// apart from the transport), every trial of every transport before the next setup — and the transports' order
/// turns by one each trial, so a slow minute of the machine, or whatever the previous scenario left behind in the
/// target, does not land on one transport.
/// </summary>
internal static class RepeatedTrials
{
    /// <summary>Which scenario (index into <paramref name="scenarios"/>) runs when: <paramref name="repeat"/> runs of each.</summary>
    public static IReadOnlyList<int> Order(IReadOnlyList<Scenario> scenarios, int repeat)
    {
        var order = new List<int>(scenarios.Count * repeat);
        var setups = Enumerable.Range(0, scenarios.Count).GroupBy(i => SetupKey(scenarios[i]), StringComparer.Ordinal);
        foreach (var setup in setups)
        {
            var members = setup.ToList();
            for (var trial = 0; trial < repeat; trial++)
            {
                order.AddRange(members.Skip(trial % members.Count).Concat(members.Take(trial % members.Count)));
            }
        }

        return order;
    }

    public static async Task<List<ScenarioResult>> RunAsync(
        ScenarioPlan plan, ScenarioExecutor executor, int repeat, IProgress<RunProgress>? progress, CancellationToken cancellationToken)
    {
        var order = Order(plan.Scenarios, repeat);
        var trials = plan.Scenarios.Select(_ => new List<ScenarioResult>(repeat)).ToList();
        for (var i = 0; i < order.Count; i++)
        {
            trials[order[i]].Add(await executor.RunAsync(plan.Scenarios[order[i]], i, order.Count, progress, cancellationToken));
        }

        return [.. trials.Select(TrialPooler.Pool)];
    }

    /// <summary>Everything that makes two scenarios comparable side by side: all but the name, transport and client settings.</summary>
    private static string SetupKey(Scenario s) =>
        FormattableString.Invariant($"{s.Feed.RatePerSecond}|{s.Feed.PayloadBytes}|{s.WarmUp.Ticks}|{s.OpenModelClients}|{s.DescribeLoad()}");
}
