using LoadBench.Engine.Distributed.Coordinator;
using LoadBench.Engine.Running;
using LoadBench.Engine.Scenarios;
using LoadBench.Results;

namespace LoadBench.Engine.Limits;

/// <summary>
/// <c>loadbench limits FILE --nats URL --agents N</c>: the limit search of <see cref="LimitRunner"/> with every step
/// played by the load agents (one coordinated scenario per step, as <c>run --nats</c> plays them). The engine's
/// cost is then the agents', not this process's: each step records their CPU, summed, and this machine's busy share,
/// and the label judges the target's machine (<see cref="LimitMachine.WithAgents"/>).
/// </summary>
public static class AgentLimitRunner
{
    /// <summary>Starts the target (or uses <see cref="RunOptions.TargetUrl"/>), joins the agents, runs every search.
    /// Cancellation or a lost agent ends it early: the steps done, marked incomplete.</summary>
    public static async Task<ResultsDocument> RunAsync(
        ScenarioPlan plan, DistributedRunOptions options, IProgress<RunProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(options.Run);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.Agents, nameof(options));
        if (LimitRunner.SearchCount(plan) == 0)
        {
            throw new ArgumentException($"no scenario of '{plan.Name}' has a \"search\" block (scenarios/README.md, \"Limit search\")", nameof(plan));
        }

        var run = options.Run;
        if (run.TargetUrl is { } url)
        {
            using var api = new TargetHttpApi(TargetAddress.Check(url.ToString(), run.AllowNonLoopback), run.ControlToken);
            return await RunAsync(plan, api, false, options, LimitMachine.WithAgents(options.Agents), progress, cancellationToken);
        }

        if (run.TargetProcess is not { } process)
        {
            throw new ArgumentException("Give either RunOptions.TargetUrl (a running target) or RunOptions.TargetProcess (start one).", nameof(options));
        }

        await using var target = await TargetProcess.StartAsync(process, cancellationToken);
        using var started = new TargetHttpApi(target.BaseUri);
        return await RunAsync(plan, started, true, options, LimitMachine.WithAgents(options.Agents), progress, cancellationToken);
    }

    internal static async Task<ResultsDocument> RunAsync(
        ScenarioPlan plan, ITargetApi target, bool targetStartedByEngine, DistributedRunOptions options, LimitMachine machine,
        IProgress<RunProgress>? progress, CancellationToken cancellationToken)
    {
        var time = options.Run.TimeProvider;
        var startedAt = time.GetUtcNow();
        var searched = plan.Scenarios.Where(s => s.Search is not null).ToList();
        var totalSteps = searched.Sum(s => s.Search!.MaxSteps);
        var steps = new List<ScenarioResult>();
        var limits = new List<LimitSearchResult>();
        string? agentLost = null;
        DateTimeOffset? lostAt = null;
        using var stop = new RunStop(cancellationToken);
        await using (var session = await DistributedSession.OpenAsync(plan, target, control: null, targetStartedByEngine, options, progress, stop.Token))
        {
            var original = await target.GetInfoAsync(stop.Token);
            var stepNumber = 0;
            // A lost agent ends the search the way a stop does: its step is kept, marked incomplete, and judges nothing
            // (a step with part of its load would pass the SLO at a lower load than it names).
            using var lost = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
            var searcher = new LimitSearcher(async (scenario, ct) =>
            {
                var (result, agentCores, machineBusy) = await session.RunAsync(scenario, stepNumber++, totalSteps, ct);
                if (result.Incomplete is { } mark)
                {
                    agentLost = mark.Reason;
                    lostAt = mark.At;
                    await lost.CancelAsync();
                    throw new ScenarioInterruptedException(scenario.Name, "when a load agent was lost", result, new OperationCanceledException(lost.Token), lost.Token);
                }

                return (result, agentCores ?? 0, machineBusy);
            }, machine);
            try
            {
                foreach (var scenario in searched)
                {
                    limits.Add(await searcher.RunAsync(scenario, steps, lost.Token));
                    if (lost.IsCancellationRequested)
                    {
                        break;
                    }
                }
            }
            finally
            {
                if (!targetStartedByEngine)
                {
                    await ScenarioRunner.RestoreAsync(target, original, time);
                }
            }
        }

        var notStarted = searched.Skip(limits.Count).Select(s => s.Name).ToList();
        var rest = notStarted.Count == 0 ? "none left to start" : "not started: " + string.Join(", ", notStarted);
        var stopped = agentLost is not null || stop.Stopping;
        return new ResultsDocument
        {
            Environment = RunEnvironmentInfo.Create(plan, target.BaseUri, targetStartedByEngine, startedAt, time.GetUtcNow()),
            Scenarios = steps,
            Limits = limits,
            Incomplete = !stopped || (notStarted.Count == 0 && limits.All(l => l.Complete)) ? null
                : agentLost is not null ? new IncompleteMark { Reason = $"{agentLost}; the search stopped there; {rest}", At = lostAt ?? time.GetUtcNow() }
                : RunInterruption.Mark(stop, "in a limit search", steps.Count(s => s.Incomplete is null), notStarted, time),
        };
    }
}
