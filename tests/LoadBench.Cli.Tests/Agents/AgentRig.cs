using LoadBench.Cli.Tests.TestSupport;

namespace LoadBench.Cli.Tests.Agents;

/// <summary>
/// What an agent end-to-end test stands on: a real nats-server, a target in this process, an output folder, and
/// the <c>loadbench agent</c> processes the test starts (stopped first when the rig is disposed).
/// </summary>
internal sealed class AgentRig : IAsyncDisposable
{
    private AgentRig(NatsServer nats, RunningTarget target, string output)
    {
        Nats = nats;
        Target = target;
        Output = output;
    }

    public NatsServer Nats { get; }

    public RunningTarget Target { get; }

    /// <summary>A fresh folder, deleted with the rig.</summary>
    public string Output { get; }

    /// <summary>The agent processes the test started; disposed (stopped) with the rig.</summary>
    public List<BackgroundLoadBench> Agents { get; } = [];

    /// <param name="outputPrefix">The output folder's name before its random part, e.g. <c>loadbench-agents-</c>.</param>
    /// <param name="targetArgs">The target's options beyond the defaults (e.g. <see cref="RunningTarget.ProtocolArgs"/>).</param>
    public static async Task<AgentRig> StartAsync(string outputPrefix, params string[] targetArgs)
    {
        var nats = await NatsServer.StartAsync();
        try
        {
            var target = await RunningTarget.StartAsync(targetArgs);
            var output = Path.Combine(Path.GetTempPath(), outputPrefix + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(output);
            return new AgentRig(nats, target, output);
        }
        catch
        {
            await nats.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var agent in Agents)
        {
            await agent.DisposeAsync();
        }

        await Target.DisposeAsync();
        await Nats.DisposeAsync();
        if (Directory.Exists(Output))
        {
            Directory.Delete(Output, recursive: true);
        }
    }
}
