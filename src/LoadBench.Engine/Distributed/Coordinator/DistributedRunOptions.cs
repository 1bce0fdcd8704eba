using LoadBench.Engine.Running;

namespace LoadBench.Engine.Distributed.Coordinator;

/// <summary>How <see cref="DistributedRunner"/> spreads a plan over load agents (<c>loadbench run --nats URL --agents N</c>).</summary>
public sealed record DistributedRunOptions
{
    /// <summary>The NATS server the agents announced themselves on.</summary>
    public required string NatsUrl { get; init; }

    /// <summary>How many agents carry the load (the first N idle ones, by name).</summary>
    public required int Agents { get; init; }

    /// <summary>Longest wait for <see cref="Agents"/> idle agents before the run gives up with a clear error.</summary>
    public TimeSpan AgentWait { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The target (its URL, or a process to start on loopback), drain and stop timeouts, the clock.
    /// Client settings that belong to an agent's machine (source addresses, the fd budget) are the agents' own.</summary>
    public required RunOptions Run { get; init; }

    /// <summary>
    /// Another coordinated run drives the same publisher at the same time (scenarios/bench/scaleout-45k.sh runs its SSE
    /// and WebSocket halves so, a scenario naming one transport): this run then never changes the feed's settings —
    /// it would pause the other's phases — so the caller sets the rate and payload before both runs and each scenario
    /// checks they are its own. Its drain waits for the events published up to the end of its window.
    /// </summary>
    public bool SharedFeed { get; init; }

    /// <summary>Time from the start command to the start instant: long enough for NATS to carry it to every agent.</summary>
    public TimeSpan StartLead { get; init; } = TimeSpan.FromSeconds(1);
}
