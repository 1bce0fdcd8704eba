using LoadBench.Engine.Distributed.Messages;
using NATS.Client.Core;

namespace LoadBench.Engine.Distributed.Agent;

/// <summary>The agent's three loops: heartbeat, commands, and the watchdog over its coordinator.</summary>
internal sealed class AgentHost(AgentOptions options, NatsChannel channel, IProgress<string>? log) : IAsyncDisposable
{
    private AgentSession? _session;
    private INatsSub<byte[]>? _coordinatorBeats;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await using var commands = await channel.SubscribeAsync(Subjects.AgentCommands(options.Name), cancellationToken);
        log?.Report($"agent {options.Name}: connected to {options.NatsUrl}, {Environment.ProcessorCount} cores, open-file budget {Budget()}; waiting for a coordinator");
        var heartbeat = HeartbeatAsync(cancellationToken);
        var watchdog = WatchdogAsync(cancellationToken);
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
        await Task.WhenAll(Quietly(heartbeat), Quietly(watchdog));
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
        _coordinatorBeats = await channel.SubscribeAsync(Subjects.CoordinatorHeartbeat(join.RunId), cancellationToken);
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

    private async Task HeartbeatAsync(CancellationToken cancellationToken)
    {
        var time = options.TimeProvider;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await channel.PublishAsync(Subjects.AgentHeartbeats,
                    new AgentHeartbeat(options.Name, Environment.ProcessorCount, Budget(), _session?.RunId),
                    DistributedJson.Default.AgentHeartbeat, cancellationToken);
            }
            catch (NatsException)
            {
                // NATS reconnects by itself; the next beat tries again.
            }

            await Task.Delay(Subjects.HeartbeatInterval, time, cancellationToken);
        }
    }

    /// <summary>Reads the coordinator's beats and ends the session when they stop.</summary>
    private async Task WatchdogAsync(CancellationToken cancellationToken)
    {
        var time = options.TimeProvider;
        while (!cancellationToken.IsCancellationRequested)
        {
            if (_session is { } session && _coordinatorBeats is { } beats)
            {
                while (beats.Msgs.TryRead(out _))
                {
                    session.CoordinatorBeat();
                }

                if (session.CoordinatorSilentFor(Subjects.CoordinatorLostAfter))
                {
                    await EndSessionAsync($"the coordinator of run {session.RunId} fell silent for {Subjects.CoordinatorLostAfter.TotalSeconds:0} s; clients stopped");
                }
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250), time, cancellationToken);
        }
    }

    private async Task EndSessionAsync(string why)
    {
        var session = Interlocked.Exchange(ref _session, null);
        var beats = Interlocked.Exchange(ref _coordinatorBeats, null);
        if (beats is not null)
        {
            await beats.DisposeAsync();
        }

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

    private static async Task Quietly(Task task)
    {
        try
        {
            await task;
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync() => await EndSessionAsync("disposed");
}
