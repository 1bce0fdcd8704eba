using System.Text.Json;
using LoadBench.Engine.Distributed.Liveness;
using LoadBench.Engine.Distributed.Messages;
using NATS.Client.Core;

namespace LoadBench.Engine.Distributed.Agent;

/// <summary>The agent's commands (over NATS.Net, on the thread pool), and its liveness — its own heartbeat and the
/// watchdog over its coordinator — on a <see cref="LivenessLine"/> of its own, which a busy thread pool cannot delay.</summary>
internal sealed class AgentHost(AgentOptions options, NatsChannel channel, LivenessLine liveness, IProgress<string>? log) : IAsyncDisposable
{
    private AgentSession? _session;
    private IDisposable? _coordinatorBeats;
    private long _idleBudget = -1;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await using var commands = await channel.SubscribeAsync(Subjects.AgentCommands(options.Name), cancellationToken);
        log?.Report($"agent {options.Name}: connected to {options.NatsUrl}, {Environment.ProcessorCount} cores, open-file budget {Budget()}; waiting for a coordinator");
        using var heartbeat = liveness.Beat(Subjects.AgentHeartbeats, HeartbeatPayload, Subjects.HeartbeatInterval);
        using var watchdog = liveness.OnRound(Watch);
        // A coordinator that finds us silent asks whether this subscription still exists (see LivenessLine).
        using var presence = liveness.Subscribe(Subjects.AgentPresence(options.Name), _ => { });
        try
        {
            await foreach (var message in commands.Msgs.ReadAllAsync(cancellationToken))
            {
                await HandleAsync(message, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }

        await EndSessionAsync("the agent is stopping");
    }

    private async Task HandleAsync(NatsMsg<byte[]> message, CancellationToken cancellationToken)
    {
        var command = message.Subject[(message.Subject.LastIndexOf('.') + 1)..];
        try
        {
            switch (command)
            {
                case Subjects.Join when NatsChannel.Read(message, DistributedJson.Default.JoinRequest) is { } join:
                    await NatsChannel.ReplyAsync(message, await JoinAsync(join, cancellationToken), DistributedJson.Default.JoinReply);
                    break;
                case Subjects.Prepare when NatsChannel.Read(message, DistributedJson.Default.PrepareRequest) is { } prepare:
                    await Session(prepare.RunId).PrepareAsync(prepare, cancellationToken);
                    await NatsChannel.ReplyAsync(message, new AgentAck(true), DistributedJson.Default.AgentAck);
                    break;
                case Subjects.Start when NatsChannel.Read(message, DistributedJson.Default.StartRequest) is { } start:
                    Session(start.RunId).Start(start);
                    TestOnlyPoolStarvation.ArmIfAsked(options.Name, log);
                    await NatsChannel.ReplyAsync(message, new AgentAck(true), DistributedJson.Default.AgentAck);
                    break;
                case Subjects.Drain when NatsChannel.Read(message, DistributedJson.Default.DrainRequest) is { } drain:
                    var undelivered = await Session(drain.RunId).DrainAsync(drain, cancellationToken);
                    await NatsChannel.ReplyAsync(message, new DrainReply(true, null, undelivered), DistributedJson.Default.DrainReply);
                    break;
                case Subjects.Stop when NatsChannel.Read(message, DistributedJson.Default.StopRequest) is { } stop:
                    await NatsChannel.ReplyAsync(message, await Session(stop.RunId).StopAsync(stop), DistributedJson.Default.AgentReport);
                    break;
                case Subjects.Leave when NatsChannel.Read(message, DistributedJson.Default.LeaveRequest) is { } leave:
                    if (_session?.RunId == leave.RunId)
                    {
                        await EndSessionAsync("the coordinator finished");
                    }

                    await NatsChannel.ReplyAsync(message, new AgentAck(true), DistributedJson.Default.AgentAck);
                    break;
                default:
                    await NatsChannel.ReplyAsync(message, new AgentAck(false, $"unknown or malformed command '{command}'"), DistributedJson.Default.AgentAck);
                    break;
            }
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Any failure goes back to the coordinator as a refusal it can name; the agent itself stays up.
            log?.Report($"agent {options.Name}: {command} failed: {e.Message}");
            await ReplyErrorQuietlyAsync(message, command, e.Message);
        }
    }

    private async Task<JoinReply> JoinAsync(JoinRequest join, CancellationToken cancellationToken)
    {
        if (_session is { } busy && busy.RunId != join.RunId)
        {
            return new JoinReply(false, $"agent {options.Name} already serves run {busy.RunId}", 0, 0, Environment.ProcessorCount, Budget());
        }

        await EndSessionAsync("joined again");
        var session = await AgentSession.JoinAsync(join, options, PublishTickAsync(join.RunId), cancellationToken);
        _coordinatorBeats = liveness.Subscribe(Subjects.CoordinatorHeartbeat(join.RunId), _ => session.CoordinatorBeat());
        _session = session;
        log?.Report($"agent {options.Name}: joined run {join.RunId} against {join.TargetUrl}; clock offset {session.Offset.OffsetMicros / 1000.0:0.###} ms ± {session.Offset.UncertaintyMicros / 1000.0:0.###} ms");
        return new JoinReply(true, null, session.Offset.OffsetMicros, session.Offset.UncertaintyMicros, Environment.ProcessorCount, Budget());
    }

    private Func<AgentTick, CancellationToken, Task> PublishTickAsync(string runId) =>
        (tick, cancellationToken) => channel.PublishAsync(Subjects.Ticks(runId), tick, DistributedJson.Default.AgentTick, cancellationToken);

    private AgentSession Session(string runId) =>
        _session is { } session && session.RunId == runId
            ? session
            : throw new InvalidOperationException($"agent {options.Name} has not joined run {runId}");

    /// <summary>The heartbeat, built on the liveness thread. The open-file budget is read while idle only: during a
    /// run the coordinator has shared the load already and ignores it, and counting /proc/self/fd's thousands of
    /// entries twice a second is work a loaded agent can do without.</summary>
    private byte[] HeartbeatPayload()
    {
        var runId = _session?.RunId;
        if (runId is null || Interlocked.Read(ref _idleBudget) < 0)
        {
            Interlocked.Exchange(ref _idleBudget, Budget());
        }

        return JsonSerializer.SerializeToUtf8Bytes(
            new AgentHeartbeat(options.Name, Environment.ProcessorCount, Interlocked.Read(ref _idleBudget), runId),
            DistributedJson.Default.AgentHeartbeat);
    }

    /// <summary>The watchdog over the coordinator, each round of the liveness thread: its beats are read on that thread
    /// too, so a beat that arrived is always seen here. Silent longer than <see cref="Subjects.CoordinatorLostAfter"/>:
    /// probed, and given up at once when its connection is gone (it died), after <see cref="Subjects.HungAfter"/> when
    /// it still holds it (paused), at once when we have no connection to ask with (NATS died: no orphan load).
    /// Stopping the clients is slow work, handed to the pool.</summary>
    private void Watch(bool judging)
    {
        if (!judging || _session is not { } session || !session.CoordinatorSilentFor(Subjects.CoordinatorLostAfter))
        {
            return;
        }

        if (!liveness.IsConnected || session.CoordinatorSilentFor(Subjects.HungAfter))
        {
            GiveUp(session, liveness.IsConnected ? $"fell silent for {Subjects.HungAfter.TotalSeconds:0} s" : $"fell silent for {Subjects.CoordinatorLostAfter.TotalSeconds:0.#} s and NATS is unreachable");
        }
        else if (session.ShouldProbeCoordinator(Subjects.HeartbeatInterval))
        {
            log?.Report($"agent {options.Name}: the coordinator of run {session.RunId} is silent for over {Subjects.CoordinatorLostAfter.TotalSeconds:0.#} s; asking NATS whether it is still connected");
            liveness.Probe(Subjects.CoordinatorPresence(session.RunId), () => GiveUp(session, $"fell silent for {Subjects.CoordinatorLostAfter.TotalSeconds:0.#} s and its connection is gone"));
        }
    }

    private void GiveUp(AgentSession session, string why)
    {
        if (session.TryGiveUpCoordinator())
        {
            _ = Task.Run(() => EndSessionAsync($"the coordinator of run {session.RunId} {why}; clients stopped", session));
        }
    }

    /// <param name="only">When given, ends the session only if it is still this one (the watchdog's view may be old).</param>
    private async Task EndSessionAsync(string why, AgentSession? only = null)
    {
        var session = only is null ? Interlocked.Exchange(ref _session, null) : Interlocked.CompareExchange(ref _session, null, only) == only ? only : null;
        if (session is null && only is not null)
        {
            return;
        }

        Interlocked.Exchange(ref _coordinatorBeats, null)?.Dispose();

        if (session is not null)
        {
            await session.DisposeAsync();
            log?.Report($"agent {options.Name}: left run {session.RunId}: {why}");
        }
    }

    private async Task ReplyErrorQuietlyAsync(NatsMsg<byte[]> message, string command, string error)
    {
        try
        {
            switch (command)
            {
                case Subjects.Join:
                    await NatsChannel.ReplyAsync(message, new JoinReply(false, error, 0, 0, Environment.ProcessorCount, Budget()), DistributedJson.Default.JoinReply);
                    break;
                case Subjects.Drain:
                    await NatsChannel.ReplyAsync(message, new DrainReply(false, error, 0), DistributedJson.Default.DrainReply);
                    break;
                case Subjects.Stop:
                    await NatsChannel.ReplyAsync(message, new AgentReport(false, error, null, null, null, null, null, 0, 0, null), DistributedJson.Default.AgentReport);
                    break;
                default:
                    await NatsChannel.ReplyAsync(message, new AgentAck(false, error), DistributedJson.Default.AgentAck);
                    break;
            }
        }
        catch (NatsException)
        {
        }
    }

    private long Budget()
    {
        var free = options.FdBudget.Available();
        return free == int.MaxValue ? 1_000_000 : free;
    }

    public async ValueTask DisposeAsync() => await EndSessionAsync("disposed");
}
