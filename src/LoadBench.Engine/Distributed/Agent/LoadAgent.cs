using LoadBench.Engine.Distributed.Liveness;
using LoadBench.Engine.Distributed.Messages;

namespace LoadBench.Engine.Distributed.Agent;

/// <summary>
/// <c>loadbench agent --nats URL</c>: joins the NATS server, announces itself (name, cores, open-file budget) every
/// half second, and serves one coordinator's run at a time — join, prepare, start, drain, stop, leave — until
/// cancelled. When the coordinator of its run falls silent for <see cref="Subjects.CoordinatorLostAfter"/>, it
/// stops every client it runs and is idle again: a dead coordinator leaves no orphan load.
/// </summary>
public static class LoadAgent
{
    public static async Task RunAsync(AgentOptions options, IProgress<string>? log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        AgentOptions.CheckName(options.Name);
        await using var channel = await NatsChannel.ConnectAsync(options.NatsUrl, $"loadbench-agent-{options.Name}", cancellationToken);
        using var liveness = LivenessLine.Start(options.NatsUrl, $"loadbench-agent-{options.Name}-liveness", options.TimeProvider);
        await using var host = new AgentHost(options, channel, liveness, log);
        await host.RunAsync(cancellationToken);
    }
}
