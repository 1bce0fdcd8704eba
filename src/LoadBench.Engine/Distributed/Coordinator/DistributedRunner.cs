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
/// Behind a proxy (<see cref="RunOptions.ControlUrl"/>) the agents' clients use the proxy while the coordinator and the
/// agents read the clock and the feed's info from the publisher; <see cref="RunOptions.Repeat"/> runs every scenario
/// that many times, each trial over all agents, pooled as a single-process run pools its trials.
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
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.Run.Repeat, nameof(options));
        foreach (var scenario in plan.Scenarios)
        {
            ScenarioValidator.EnsureValid(scenario);
        }

        var run = options.Run;
        if (run.ControlUrl is { } controlUrl)
        {
            // Behind a proxy: the agents' clients use the proxy (the target URL); settings, info, the clock and /stats
            // go to the publisher (the control URL), and the server cost adds every --stats-url and --stats-pid.
            var feed = TargetAddress.Check(run.TargetUrl?.ToString() ?? throw new ArgumentException("A control URL needs the feed URL (the proxy) as the target URL.", nameof(options)), run.AllowNonLoopback);
            var control = TargetAddress.Check(controlUrl.ToString(), run.AllowNonLoopback);
            using var scaledOut = new ScaledOutTargetApi(feed, control,
                run.StatsUrls.Select(u => TargetAddress.Check(u.ToString(), run.AllowNonLoopback)), run.StatsPids, run.ControlToken);
            return await RunAsync(plan, scaledOut, control, targetStartedByEngine: false, options, progress, cancellationToken);
        }

        if (run.TargetUrl is { } url)
        {
            using var api = new TargetHttpApi(TargetAddress.Check(url.ToString(), run.AllowNonLoopback), run.ControlToken);
            return await RunAsync(plan, api, api.BaseUri, targetStartedByEngine: false, options, progress, cancellationToken);
        }

        if (run.TargetProcess is not { } process)
        {
            throw new ArgumentException("Give either RunOptions.TargetUrl (a running target) or RunOptions.TargetProcess (start one).", nameof(options));
        }

        await using var target = await TargetProcess.StartAsync(process, cancellationToken);
        using var started = new TargetHttpApi(target.BaseUri);
        return await RunAsync(plan, started, started.BaseUri, targetStartedByEngine: true, options, progress, cancellationToken);
    }

    /// <param name="control">The publisher's own address (the clock, settings, info); the target's feed address otherwise.</param>
    private static async Task<ResultsDocument> RunAsync(
        ScenarioPlan plan, ITargetApi target, Uri control, bool targetStartedByEngine, DistributedRunOptions options,
        IProgress<RunProgress>? progress, CancellationToken cancellationToken)
    {
        var time = options.Run.TimeProvider;
        var startedAt = time.GetUtcNow();
        IReadOnlyList<ScenarioResult> results = [];
        IncompleteMark? incomplete = null;
        var controlUrl = control == target.BaseUri ? null : control;
        await using (var session = await DistributedSession.OpenAsync(plan, target, controlUrl, targetStartedByEngine, options, progress, cancellationToken))
        {
            var original = await target.GetInfoAsync(cancellationToken);
            try
            {
                (results, incomplete) = await CoordinatedTrials.RunAsync(plan, options.Run.Repeat,
                    async (scenario, index, count, token) => (await session.RunAsync(scenario, index, count, token)).Result, time, cancellationToken);
            }
            finally
            {
                if (!targetStartedByEngine && !options.SharedFeed)
                {
                    await ScenarioRunner.RestoreAsync(target, original, time);
                }
            }
        }

        return new ResultsDocument
        {
            Environment = RunEnvironmentInfo.Create(plan, target.BaseUri, targetStartedByEngine, startedAt, time.GetUtcNow()) with
            {
                ControlUrl = controlUrl?.ToString(),
            },
            Scenarios = results,
            Incomplete = incomplete,
        };
    }
}
