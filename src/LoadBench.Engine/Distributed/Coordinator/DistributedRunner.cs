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
            using var api = new TargetHttpApi(TargetAddress.Check(url.ToString(), options.Run.AllowNonLoopback));
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
        await using var channel = await NatsChannel.ConnectAsync(options.NatsUrl, "loadbench-coordinator", cancellationToken);
        await using var roster = await AgentRoster.SubscribeAsync(channel, time, cancellationToken);
        var agents = await roster.WaitForAsync(options.Agents, options.AgentWait, options.NatsUrl, cancellationToken);

        var runId = Guid.NewGuid().ToString("N")[..12];
        using var beating = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var heartbeat = HeartbeatAsync(channel, runId, time, beating.Token);
        var requests = new AgentRequests(channel, roster);
        var results = new List<ScenarioResult>();
        IncompleteMark? incomplete = null;
        try
        {
            await JoinAsync(requests, agents, runId, target.BaseUri, cancellationToken);
            ClockOffset offset;
            using (var control = new HttpClient { BaseAddress = target.BaseUri, Timeout = TimeSpan.FromSeconds(5) })
            {
                offset = await ClockOffsetEstimator.EstimateAsync(control, time, ClockOffsetEstimator.DefaultSamples, cancellationToken);
            }

            var publisherTime = new OffsetTimeProvider(time, TimeSpan.FromTicks(offset.OffsetMicros * TimeSpan.TicksPerMicrosecond));
            await using var live = await LiveProgress.SubscribeAsync(channel, runId, cancellationToken);
            var environment = RunEnvironmentInfo.Create(plan, target.BaseUri, targetStartedByEngine, startedAt, time.GetUtcNow());
            var context = new CoordinatorContext(runId, target, roster, requests, live, options, publisherTime, progress, environment);
            var original = await target.GetInfoAsync(cancellationToken);
            try
            {
                for (var i = 0; i < plan.Scenarios.Count; i++)
                {
                    var result = await new CoordinatedScenario(context).RunAsync(plan.Scenarios[i], i, plan.Scenarios.Count, cancellationToken);
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
        finally
        {
            await LeaveAsync(requests, roster, runId);
            await beating.CancelAsync();
            await QuietlyAsync(heartbeat);
        }

        var document = new ResultsDocument
        {
            Environment = RunEnvironmentInfo.Create(plan, target.BaseUri, targetStartedByEngine, startedAt, time.GetUtcNow()),
            Scenarios = results,
            Incomplete = incomplete,
        };
        return document;
    }

    private static async Task JoinAsync(
        AgentRequests requests, IReadOnlyList<RosterAgent> agents, string runId, Uri target, CancellationToken cancellationToken)
    {
        var joined = await requests.ToAllAsync(agents, Subjects.Join, (_, _) => new JoinRequest(runId, target.ToString()),
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
