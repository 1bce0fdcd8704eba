namespace LoadBench.Engine.Limits;

/// <summary>
/// What a limit search needs to know about the machine to say whose limit it found: how many cores there are,
/// how many the engine was pinned to (<c>--pin-cpus</c>), or how many load agents (<c>--nats</c>) carried the load
/// instead of this process. Tests pass their own.
/// </summary>
/// <param name="Cores">Cores of the machine (target and engine share them unless pinned).</param>
/// <param name="EngineCores">With <c>--pin-cpus</c>: the cores the engine may use; null when not pinned.</param>
/// <param name="Agents">With <c>--nats</c>: the load agents' count; the engine's figures are then theirs, summed.</param>
internal sealed record LimitMachine(int Cores, int? EngineCores, int? Agents = null)
{
    /// <summary>Share of cores above which a resource counts as saturated.</summary>
    public const double Saturated = 0.9;

    public static LimitMachine ThisProcess(bool pinned) => new(
        Environment.ProcessorCount,
        pinned ? Math.Max(1, Environment.ProcessorCount - 1) : null);

    /// <summary>The load comes from agents; this machine (the target's, on loopback) is the one whose cores count.</summary>
    public static LimitMachine WithAgents(int agents) => new(Environment.ProcessorCount, null, agents);
}
