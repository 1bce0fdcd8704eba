using System.Net;
using System.Text.RegularExpressions;

namespace LoadBench.Engine.Distributed.Agent;

/// <summary>How a load agent (<c>loadbench agent --nats URL</c>) runs.</summary>
public sealed partial record AgentOptions
{
    /// <summary>The NATS server every agent and the coordinator share, e.g. <c>nats://10.0.0.5:4222</c>.</summary>
    public required string NatsUrl { get; init; }

    /// <summary>Unique among the agents: letters, digits, <c>-</c> and <c>_</c> (it is part of NATS subjects).
    /// Default: host name and process id.</summary>
    public string Name { get; init; } = DefaultName();

    /// <summary>Lets the target be a host that is not loopback (<c>--allow-non-loopback</c>): an agent on another machine
    /// than the target. Off unless a person asked for it.</summary>
    public bool AllowNonLoopback { get; init; }

    /// <summary>Local addresses this agent's clients spread their connections over (<c>--source-address</c>).</summary>
    public IReadOnlyList<IPAddress> SourceAddresses { get; init; } = [];

    /// <summary>Most client copies this agent starts per second (<c>--connect-rate</c>): the closed model's
    /// <see cref="Running.RunOptions.MaxCopyStartsPerSecond"/>. Agents sharing one machine each take a share, or their
    /// connect storm starves everyone's heartbeats and a live agent is taken for lost.</summary>
    public int ConnectRate { get; init; } = DefaultConnectRate;

    public const int DefaultConnectRate = 2000;

    /// <summary>The agent's clock, before correction to the publisher's (tests pass a skewed one).</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Open-file budget the agent announces and its scheduler respects.</summary>
    internal Running.FdBudget FdBudget { get; init; } = new();

    /// <summary>Throws <see cref="ArgumentException"/> when <see cref="Name"/> cannot be part of a NATS subject.</summary>
    public static string CheckName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!NamePattern().IsMatch(name))
        {
            throw new ArgumentException($"An agent name may hold letters, digits, '-' and '_' (1-64 of them); got '{name}'.", nameof(name));
        }

        return name;
    }

    private static string DefaultName()
    {
        var host = InvalidChars().Replace(Environment.MachineName, "-");
        return $"{(host.Length > 40 ? host[..40] : host)}-{Environment.ProcessId}";
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex NamePattern();

    [GeneratedRegex("[^A-Za-z0-9_-]")]
    private static partial Regex InvalidChars();
}
