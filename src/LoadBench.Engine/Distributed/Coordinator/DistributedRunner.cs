using LoadBench.Engine.Running;
using LoadBench.Engine.Scenarios;
using LoadBench.Results;

namespace LoadBench.Engine.Distributed.Coordinator;

/// <summary>
/// <c>loadbench run SCENARIO --nats URL --agents N</c>: runs a plan with the load spread over N load agents
/// (<c>loadbench agent</c>), and returns one results document merged exactly from theirs.
/// <code>
/// var results = await DistributedRunner.RunAsync(plan, new DistributedRunOptions { NatsUrl = "nats://127.0.0.1:4222", Agents = 3, Run = runOptions }, progress, token);
/// </code>
/// When an agent is lost the scenario under way finishes with the others, the run stops there, and the document
/// is marked incomplete (<see cref="ResultsDocument.Incomplete"/>) with the agent's name and the time it was lost.
/// </summary>
public static class DistributedRunner
{
    public static async Task<ResultsDocument> RunAsync(
        ScenarioPlan plan, DistributedRunOptions options, IProgress<RunProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(options.Run);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.Agents, nameof(options));
        if (options.Run.Repeat != 1)
        {
            throw new ArgumentException("--repeat is not supported with --agents yet: run the distributed plan once.", nameof(options));
        }

        foreach (var scenario in plan.Scenarios)
        {
            ScenarioValidator.EnsureValid(scenario);
        }

        if (options.Run.TargetUrl is { } url)
        {
            using var api = new TargetHttpApi(TargetAddress.Check(url.ToString(), options.Run.AllowNonLoopback), options.Run.ControlToken);
            return await RunAsync(plan, api, targetStartedByEngine: false, options, progress, cancellationToken);
        }

        if (options.Run.TargetProcess is not { } process)
        {
            throw new ArgumentException("Give either RunOptions.TargetUrl (a running target) or RunOptions.TargetProcess (start one).", nameof(options));
        }

        await using var target = await TargetProcess.StartAsync(process, cancellationToken);
        using var started = new TargetHttpApi(target.BaseUri);
        return await RunAsync(plan, started, targetStartedByEngine: true, options, progress, cancellationToken);
    }

    private static async Task<ResultsDocument> RunAsync(
        ScenarioPlan plan, TargetHttpApi target, bool targetStartedByEngine, DistributedRunOptions options,
        IProgress<RunProgress>? progress, CancellationToken cancellationToken)
    {
        var time = options.Run.TimeProvider;
        var startedAt = time.GetUtcNow();
        var results = new List<ScenarioResult>();
        IncompleteMark? incomplete = null;
        await using (var session = await DistributedSession.OpenAsync(plan, target, targetStartedByEngine, options, progress, cancellationToken))
        {
            var original = await target.GetInfoAsync(cancellationToken);
            try
            {
                for (var i = 0; i < plan.Scenarios.Count; i++)
                {
                    var (result, _, _) = await session.RunAsync(plan.Scenarios[i], i, plan.Scenarios.Count, cancellationToken);
                    results.Add(result);
                    if (result.Incomplete is { } mark)
                    {
                        // The run ends with the agents that are left: later scenarios would measure a different load.
                        incomplete = new IncompleteMark { Reason = mark.Reason + $"; the run stopped after scenario '{result.Name}'", At = mark.At };
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

        return new ResultsDocument
        {
            Environment = RunEnvironmentInfo.Create(plan, target.BaseUri, targetStartedByEngine, startedAt, time.GetUtcNow()),
            Scenarios = results,
            Incomplete = incomplete,
        };
    }
}
