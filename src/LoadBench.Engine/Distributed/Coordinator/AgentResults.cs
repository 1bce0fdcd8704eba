using LoadBench.Engine.Distributed.Messages;
using LoadBench.Engine.Running;
using LoadBench.Engine.Scenarios;
using LoadBench.Results;

namespace LoadBench.Engine.Distributed.Coordinator;

/// <summary>One agent's part of a scenario as the coordinator collected it; <see cref="Report"/> is null when the
/// agent was lost before it reported.</summary>
internal sealed record AgentOutcome(RosterAgent Agent, Scenario Share, AgentReport? Report);

/// <summary>
/// Turns the agents' reports of one scenario into one <see cref="ScenarioResult"/>: a result per agent (built as a
/// single process builds its own, with the target's figures the coordinator measured), merged exactly by
/// <see cref="ResultsMerger"/> — histograms added bucket by bucket, counters summed, nothing averaged — plus the
/// list of agents with what each carried.
/// </summary>
internal static class AgentResults
{
    public static ScenarioResult Merge(Scenario scenario, IReadOnlyList<AgentOutcome> outcomes, ServerWindow server, RunEnvironment environment)
    {
        var reported = outcomes.Where(o => o.Report is { Ok: true }).ToList();
        if (reported.Count == 0)
        {
            throw new DistributedRunException($"Scenario '{scenario.Name}': no agent reported its results (every agent was lost).");
        }

        // The documents differ only in their one scenario; one shared target measured once, so its cost is not added
        // up per agent (TargetStartedByEngine false, same URL: ResultsMerger keeps one target's figures).
        var env = environment with { TargetStartedByEngine = false };
        var merged = reported
            .Select(o => new ResultsDocument { Environment = env, Scenarios = [Build(scenario, o.Report!, server)] })
            .Aggregate(ResultsMerger.Merge)
            .Scenarios[0];

        return merged with { Agents = [.. outcomes.Select(Describe)] };
    }

    private static ScenarioResult Build(Scenario scenario, AgentReport report, ServerWindow server) =>
        ScenarioResultBuilder.Build(new MeasuredPhase(
            scenario,
            report.Counters!.ToSnapshot(),
            report.InWindow!.ToSnapshot(),
            report.Lifetime!.ToSnapshot(),
            HistogramCodec.Decode(report.EventHistogram!),
            HistogramCodec.Decode(report.RequestHistogram!),
            TimeSpan.FromSeconds(report.DurationSeconds),
            report.PeakClients,
            server,
            report.TimeSeries ?? [])
        {
            Recovery = report.RecoveryHistogram is { } recovery ? HistogramCodec.Decode(recovery) : null,
        });

    private static AgentShareResult Describe(AgentOutcome outcome)
    {
        var report = outcome.Report is { Ok: true } r ? r : null;
        var events = report?.EventHistogram is { } encoded ? HistogramCodec.Decode(encoded) : null;
        return new AgentShareResult
        {
            Name = outcome.Agent.Name,
            Cores = outcome.Agent.Cores,
            OpenFileBudget = outcome.Agent.OpenFileBudget,
            LoadSimulation = outcome.Share.DescribeLoad(),
            Clients = report?.PeakClients ?? 0,
            EventsDelivered = report?.Counters?.EventsDelivered ?? 0,
            P50Ms = events is { TotalCount: > 0 } ? LatencySummaries.PercentileMs(events, 50) : null,
            P99Ms = events is { TotalCount: > 0 } ? LatencySummaries.PercentileMs(events, 99) : null,
            ClockOffsetMs = outcome.Agent.ClockOffsetMicros / 1000.0,
            ClockUncertaintyMs = outcome.Agent.ClockUncertaintyMicros / 1000.0,
            LostAt = outcome.Agent.LostAt,
        };
    }
}
