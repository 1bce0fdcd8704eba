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

    /// <summary>Runs the trials. On a stop (<paramref name="stop"/>), every scenario with at least one trial is pooled
    /// from the trials it has (the stopped trial with its figures so far), and marked incomplete when it has fewer
    /// trials than planned or holds the stopped one; the document's mark names the trials that never ran.</summary>
    public static async Task<TrialsOutcome> RunAsync(
        ScenarioPlan plan, ScenarioExecutor executor, int repeat, IProgress<RunProgress>? progress, RunStop stop, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stop);
        var order = Order(plan.Scenarios, repeat);
        var trials = plan.Scenarios.Select(_ => new List<ScenarioResult>(repeat)).ToList();
        var time = executor.TimeProvider;
        string? where = null;
        var ran = 0;
        for (; ran < order.Count; ran++)
        {
            try
            {
                trials[order[ran]].Add(await executor.RunAsync(plan.Scenarios[order[ran]], ran, order.Count, progress, cancellationToken));
            }
            catch (ScenarioInterruptedException e) when (stop.Stopping)
            {
                if (e.Partial is { } partial)
                {
                    trials[order[ran]].Add(partial);
                }

                where = RunInterruption.Where(e);
                break;
            }

            if (stop.Stopping)
            {
                where = "between trials";
                ran++;
                break;
            }
        }

        if (where is null || ran >= order.Count && trials.All(t => t.All(r => r.Incomplete is null)))
        {
            return new TrialsOutcome([.. trials.Select(TrialPooler.Pool)], null);
        }

        var pooled = new List<ScenarioResult>();
        var notStarted = new List<string>();
        for (var i = 0; i < plan.Scenarios.Count; i++)
        {
            var done = trials[i];
            if (done.Count == 0)
            {
                notStarted.Add(plan.Scenarios[i].Name);
                continue;
            }

            var pool = TrialPooler.Pool(done);
            var stopped = done.FirstOrDefault(t => t.Incomplete is not null)?.Incomplete;
            if (stopped is not null || done.Count < repeat)
            {
                var complete = done.Count(t => t.Incomplete is null);
                pool = pool with
                {
                    Incomplete = new IncompleteMark
                    {
                        Reason = FormattableString.Invariant($"{complete} of {repeat} trials finished") + (stopped is null ? "" : "; " + stopped.Reason),
                        At = stopped?.At ?? time.GetUtcNow(),
                    },
                };
            }

            pooled.Add(pool);
            if (done.Count < repeat)
            {
                notStarted.Add(FormattableString.Invariant($"{plan.Scenarios[i].Name} ({repeat - done.Count} of {repeat} trials)"));
            }
        }

        var finished = trials.Sum(t => t.Count(r => r.Incomplete is null));
        return new TrialsOutcome(pooled, RunInterruption.Mark(stop, where, finished, notStarted, time));
    }

    /// <summary>Everything that makes two scenarios comparable side by side: all but the name, transport and client settings.</summary>
    private static string SetupKey(Scenario s) =>
        FormattableString.Invariant($"{s.Feed.RatePerSecond}|{s.Feed.PayloadBytes}|{s.WarmUp.Ticks}|{s.OpenModelClients}|{s.DescribeLoad()}");
}

/// <summary>The pooled scenarios of a repeated run, and the document's incomplete mark when it stopped early.</summary>
internal sealed record TrialsOutcome(IReadOnlyList<ScenarioResult> Scenarios, IncompleteMark? Incomplete);
