using LoadBench.Engine.Running;
using LoadBench.Engine.Scenarios;
using LoadBench.Results;

namespace LoadBench.Engine.Distributed.Coordinator;

/// <summary>
/// The scenarios of a distributed run, once each or <see cref="RunOptions.Repeat"/> times: with repeats, in the
/// single-process run's order (<see cref="RepeatedTrials.Order"/>: interleaved per setup, the transports' order turned
/// each trial) and pooled the same way (<see cref="TrialPooler"/>: histograms added, every trial kept), each trial a
/// coordinated scenario over every live agent. A trial that comes back incomplete (an agent was lost) ends the run:
/// later trials would measure a different load.
/// </summary>
internal static class CoordinatedTrials
{
    public static async Task<(IReadOnlyList<ScenarioResult> Scenarios, IncompleteMark? Incomplete)> RunAsync(
        ScenarioPlan plan, int repeat, Func<Scenario, int, int, CancellationToken, Task<ScenarioResult>> runScenario,
        TimeProvider time, CancellationToken cancellationToken)
    {
        var order = repeat == 1 ? [.. Enumerable.Range(0, plan.Scenarios.Count)] : RepeatedTrials.Order(plan.Scenarios, repeat);
        var trials = plan.Scenarios.Select(_ => new List<ScenarioResult>(repeat)).ToList();
        IncompleteMark? incomplete = null;
        for (var i = 0; i < order.Count; i++)
        {
            // The index is the trial's place in the run: unique, so an agent never mistakes one trial's commands for another's.
            var result = await runScenario(plan.Scenarios[order[i]], i, order.Count, cancellationToken);
            trials[order[i]].Add(result);
            if (result.Incomplete is { } mark)
            {
                var where = repeat == 1
                    ? $"scenario '{result.Name}'"
                    : FormattableString.Invariant($"trial {i + 1} of {order.Count} (scenario '{result.Name}')");
                incomplete = new IncompleteMark { Reason = $"{mark.Reason}; the run stopped after {where}", At = mark.At };
                break;
            }
        }

        if (repeat == 1)
        {
            return ([.. trials.SelectMany(t => t)], incomplete);
        }

        var pooled = new List<ScenarioResult>();
        foreach (var done in trials.Where(t => t.Count > 0))
        {
            var pool = TrialPooler.Pool(done) with { Agents = PoolAgents(done) };
            if (done.Count < repeat || done.Any(t => t.Incomplete is not null))
            {
                var stopped = done.FirstOrDefault(t => t.Incomplete is not null)?.Incomplete;
                pool = pool with
                {
                    Incomplete = new IncompleteMark
                    {
                        Reason = FormattableString.Invariant($"{done.Count(t => t.Incomplete is null)} of {repeat} trials finished")
                                 + (stopped is null ? "" : "; " + stopped.Reason),
                        At = stopped?.At ?? incomplete?.At ?? time.GetUtcNow(),
                    },
                };
            }

            pooled.Add(pool);
        }

        return (pooled, incomplete);
    }

    /// <summary>
    /// Each agent over every trial: its most clients, its events summed, when it was lost. Its own p50/p99 stay in each
    /// trial (<see cref="ScenarioResult.Trials"/>): percentiles of trials cannot be added, and they are never averaged.
    /// </summary>
    private static List<AgentShareResult>? PoolAgents(IReadOnlyList<ScenarioResult> trials)
    {
        var shares = trials.SelectMany(t => t.Agents ?? []).ToList();
        if (shares.Count == 0)
        {
            return null;
        }

        return [.. shares.GroupBy(a => a.Name, StringComparer.Ordinal).Select(g => g.First() with
        {
            Clients = g.Max(a => a.Clients),
            EventsDelivered = g.Sum(a => a.EventsDelivered),
            P50Ms = g.Count() == 1 ? g.First().P50Ms : null,
            P99Ms = g.Count() == 1 ? g.First().P99Ms : null,
            LostAt = g.Select(a => a.LostAt).FirstOrDefault(l => l is not null),
        })];
    }
}
