using LoadBench.Engine.Distributed.Clock;
using LoadBench.Engine.Distributed.Messages;
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
        await using var channel = await NatsChannel.ConnectAsync(options.NatsUrl, "loadbench-coordinator", cancellationToken);
        await using var roster = await AgentRoster.SubscribeAsync(channel, time, cancellationToken);
        var agents = await roster.WaitForAsync(options.Agents, options.AgentWait, options.NatsUrl, cancellationToken);

        var runId = Guid.NewGuid().ToString("N")[..12];
        using var beating = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var heartbeat = HeartbeatAsync(channel, runId, time, beating.Token);
        var requests = new AgentRequests(channel, roster);
        IReadOnlyList<ScenarioResult> results = [];
        IncompleteMark? incomplete = null;
        var controlUrl = control == target.BaseUri ? null : control;
        try
        {
            await JoinAsync(requests, agents, runId, target.BaseUri, controlUrl, cancellationToken);
            ClockOffset offset;
            using (var clock = new HttpClient { BaseAddress = control, Timeout = TimeSpan.FromSeconds(5) })
            {
                offset = await ClockOffsetEstimator.EstimateAsync(clock, time, ClockOffsetEstimator.DefaultSamples, cancellationToken);
            }

            var publisherTime = new OffsetTimeProvider(time, TimeSpan.FromTicks(offset.OffsetMicros * TimeSpan.TicksPerMicrosecond));
            await using var live = await LiveProgress.SubscribeAsync(channel, runId, cancellationToken);
            var environment = RunEnvironmentInfo.Create(plan, target.BaseUri, targetStartedByEngine, startedAt, time.GetUtcNow());
            var context = new CoordinatorContext(runId, target, roster, requests, live, options, publisherTime, progress, environment);
            var original = await target.GetInfoAsync(cancellationToken);
            try
            {
                (results, incomplete) = await CoordinatedTrials.RunAsync(plan, options.Run.Repeat,
                    (scenario, index, count, token) => new CoordinatedScenario(context).RunAsync(scenario, index, count, token), time, cancellationToken);
            }
            finally
            {
                if (!targetStartedByEngine && !options.SharedFeed)
                {
                    await ScenarioRunner.RestoreAsync(target, original, time);
                }
            }
        }
        finally
        {
            await LeaveAsync(requests, roster, runId);
            await beating.CancelAsync();
            await QuietlyAsync(heartbeat);
        }

        var document = new ResultsDocument
        {
            Environment = RunEnvironmentInfo.Create(plan, target.BaseUri, targetStartedByEngine, startedAt, time.GetUtcNow()) with
            {
                ControlUrl = controlUrl?.ToString(),
            },
            Scenarios = results,
            Incomplete = incomplete,
        };
        return document;
    }

    private static async Task JoinAsync(
        AgentRequests requests, IReadOnlyList<RosterAgent> agents, string runId, Uri target, Uri? control, CancellationToken cancellationToken)
    {
        var joined = await requests.ToAllAsync(agents, Subjects.Join, (_, _) => new JoinRequest(runId, target.ToString(), control?.ToString()),
            DistributedJson.Default.JoinRequest, DistributedJson.Default.JoinReply, TimeSpan.FromSeconds(30), cancellationToken);
        foreach (var agent in agents)
        {
            if (!joined.TryGetValue(agent, out var reply))
            {
                throw new DistributedRunException($"Load agent {agent.Name} did not answer the join (is it still running?).");
            }

            if (!reply.Ok)
            {
                throw new DistributedRunException($"Load agent {agent.Name} could not join: {reply.Error}");
            }

            agent.ClockOffsetMicros = reply.ClockOffsetMicros;
            agent.ClockUncertaintyMicros = reply.ClockUncertaintyMicros;
            agent.Cores = reply.Cores;
            agent.OpenFileBudget = reply.OpenFileBudget;
        }

    }

    /// <summary>Best effort: an agent that misses it stops anyway when the heartbeat falls silent.</summary>
    private static async Task LeaveAsync(AgentRequests requests, AgentRoster roster, string runId)
    {
        try
        {
            await requests.ToAllAsync(roster.Live, Subjects.Leave, (_, _) => new LeaveRequest(runId),
                DistributedJson.Default.LeaveRequest, DistributedJson.Default.AgentAck, TimeSpan.FromSeconds(5), CancellationToken.None);
        }
#pragma warning disable CA1031 // Leaving is best effort; the run's own outcome matters more.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    private static async Task HeartbeatAsync(NatsChannel channel, string runId, TimeProvider time, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await channel.PublishAsync(Subjects.CoordinatorHeartbeat(runId), new CoordinatorHeartbeat(runId),
                    DistributedJson.Default.CoordinatorHeartbeat, cancellationToken);
            }
            catch (NATS.Client.Core.NatsException)
            {
            }

            await Task.Delay(Subjects.HeartbeatInterval, time, cancellationToken);
        }
    }

    private static async Task QuietlyAsync(Task task)
    {
        try
        {
            await task;
        }
        catch (OperationCanceledException)
        {
        }
    }
}
