using System.Text.Json;
using LoadBench.Engine.Distributed.Clock;
using LoadBench.Engine.Distributed.Liveness;
using LoadBench.Engine.Distributed.Messages;
using LoadBench.Engine.Running;
using LoadBench.Engine.Scenarios;
using LoadBench.Results;

namespace LoadBench.Engine.Distributed.Coordinator;

/// <summary>
/// The agents of one distributed run, joined and clock-checked, ready to play scenarios one at a time: what
/// <c>run --nats</c> (<see cref="DistributedRunner"/>) and <c>limits --nats</c> (a limit search, one step per
/// scenario) share. Disposing leaves the run (agents go idle) and stops the coordinator's heartbeat.
/// </summary>
internal sealed class DistributedSession : IAsyncDisposable
{
    private readonly NatsChannel _channel;
    private readonly LivenessLine _liveness;
    private readonly AgentRoster _roster;
    private readonly AgentRequests _requests;
    private readonly IDisposable _heartbeat;
    private readonly IDisposable _presence;
    private readonly string _runId;
    private LiveProgress? _live;
    private CoordinatorContext? _context;
    /// <summary>The transport of the scenario played last in this session (null before the first): only its connections
    /// can be ours still open on the target.</summary>
    private string? _previousTransport;

    private DistributedSession(NatsChannel channel, LivenessLine liveness, AgentRoster roster, string runId)
    {
        _channel = channel;
        _liveness = liveness;
        _roster = roster;
        _runId = runId;
        _requests = new AgentRequests(channel, roster);
        // On the liveness line's own thread: a busy thread pool here cannot make the agents think us dead.
        var beat = JsonSerializer.SerializeToUtf8Bytes(new CoordinatorHeartbeat(runId), DistributedJson.Default.CoordinatorHeartbeat);
        _heartbeat = liveness.Beat(Subjects.CoordinatorHeartbeat(runId), () => beat, Subjects.HeartbeatInterval);
        // Agents that find us silent ask whether this subscription still exists (see LivenessLine).
        _presence = liveness.Subscribe(Subjects.CoordinatorPresence(runId), _ => { });
    }

    /// <summary>How many agents carry the load.</summary>
    public int AgentCount => _roster.Chosen.Count;

    public RunEnvironment Environment => _context?.Environment ?? throw new InvalidOperationException("Open first.");

    /// <summary>Connects, waits for <see cref="DistributedRunOptions.Agents"/> idle agents, joins them to a new run
    /// against <paramref name="target"/> and estimates the publisher's clock.</summary>
    /// <param name="control">Behind a proxy: the publisher's own address (the clock, settings, info), which agents are
    /// told at the join; null when the target's feed address is also its control address.</param>
    public static async Task<DistributedSession> OpenAsync(
        ScenarioPlan plan, ITargetApi target, Uri? control, bool targetStartedByEngine, DistributedRunOptions options,
        IProgress<RunProgress>? progress, CancellationToken cancellationToken)
    {
        var time = options.Run.TimeProvider;
        var startedAt = time.GetUtcNow();
        if (plan.Scenarios.FirstOrDefault(s => s.Setup.Via != ConnectionSetup.DirectVia) is { } proxied)
        {
            // The agents would connect straight to the target while the results said "via": refused, not mislabelled.
            // For agents behind a proxy, start it yourself and give its address as --target with --control-url.
            throw new ArgumentException(
                $"Scenario '{proxied.Name}' runs via \"{proxied.Setup.Via}\", which load agents do not carry yet: run it without --agents, " +
                "or start the proxy yourself and give it as --target with the publisher as --control-url.");
        }

        // The endpoints HTTP/2 and TLS scenarios need, by the single-process runner's rule: a running target's
        // certificate is the one the person named, a target the engine started publishes its own. Behind a proxy
        // (a control URL) the feed address is the proxy's, which publishes none: as a single process, none then.
        var endpoints = control is null
            ? await ClientEndpoints.ForPlanAsync(plan, target.BaseUri, options.Run.TlsFingerprint, trustPublished: targetStartedByEngine, cancellationToken)
            : null;
        var channel = await NatsChannel.ConnectAsync(options.NatsUrl, "loadbench-coordinator", cancellationToken);
        var liveness = LivenessLine.Start(options.NatsUrl, "loadbench-coordinator-liveness", time);
        AgentRoster? roster = null;
        DistributedSession? session = null;
        try
        {
            roster = AgentRoster.Subscribe(liveness, time);
            var agents = await roster.WaitForAsync(options.Agents, options.AgentWait, options.NatsUrl, cancellationToken);
            session = new DistributedSession(channel, liveness, roster, Guid.NewGuid().ToString("N")[..12]);
            await session.JoinAsync(agents, target.BaseUri, control, endpoints, cancellationToken);
            ClockOffset offset;
            using (var clock = new HttpClient { BaseAddress = control ?? target.BaseUri, Timeout = TimeSpan.FromSeconds(5) })
            {
                offset = await ClockOffsetEstimator.EstimateAsync(clock, time, ClockOffsetEstimator.DefaultSamples, cancellationToken);
            }

            var publisherTime = new OffsetTimeProvider(time, TimeSpan.FromTicks(offset.OffsetMicros * TimeSpan.TicksPerMicrosecond));
            session._live = await LiveProgress.SubscribeAsync(channel, session._runId, cancellationToken);
            var environment = RunEnvironmentInfo.Create(plan, target.BaseUri, targetStartedByEngine, startedAt, time.GetUtcNow());
            session._context = new CoordinatorContext(
                session._runId, target, roster, session._requests, session._live, options, publisherTime, progress, environment);
            return session;
        }
        catch
        {
            if (session is not null)
            {
                await session.DisposeAsync();
            }
            else
            {
                roster?.Dispose();
                liveness.Dispose();
                await channel.DisposeAsync();
            }

            throw;
        }
    }

    /// <summary>Plays one scenario over every live agent; the agents' summed CPU and this machine's busy share
    /// over its measured window come with it.</summary>
    public async Task<(ScenarioResult Result, double? AgentCores, double? MachineBusy)> RunAsync(
        Scenario scenario, int index, int count, CancellationToken cancellationToken)
    {
        var coordinated = new CoordinatedScenario(_context ?? throw new InvalidOperationException("Open first."), _previousTransport);
        _previousTransport = scenario.Transport;
        var result = await coordinated.RunAsync(scenario, index, count, cancellationToken);
        return (result, coordinated.AgentCores, coordinated.MachineBusy);
    }

    public async ValueTask DisposeAsync()
    {
        await LeaveAsync();
        _heartbeat.Dispose();
        _presence.Dispose();
        if (_live is not null)
        {
            await _live.DisposeAsync();
        }

        _roster.Dispose();
        _liveness.Dispose();
        await _channel.DisposeAsync();
    }

    private async Task JoinAsync(
        IReadOnlyList<RosterAgent> agents, Uri target, Uri? control, ClientEndpoints? endpoints, CancellationToken cancellationToken)
    {
        var wire = endpoints is null ? null : EndpointsWire.From(endpoints);
        var joined = await _requests.ToAllAsync(agents, Subjects.Join, (_, _) => new JoinRequest(_runId, target.ToString(), control?.ToString(), wire),
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
    private async Task LeaveAsync()
    {
        try
        {
            await _requests.ToAllAsync(_roster.Live, Subjects.Leave, (_, _) => new LeaveRequest(_runId),
                DistributedJson.Default.LeaveRequest, DistributedJson.Default.AgentAck, TimeSpan.FromSeconds(5), CancellationToken.None);
        }
#pragma warning disable CA1031 // Leaving is best effort; the run's own outcome matters more.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }
}
