namespace LoadBench.Engine.Limits;

/// <summary>
/// What a limit search needs to know about the machine to say whose limit it found: how many cores there are,
/// and how many the engine was pinned to (<c>--pin-cpus</c>). Tests pass their own.
/// </summary>
/// <param name="Cores">Cores of the machine (target and engine share them unless pinned).</param>
/// <param name="EngineCores">With <c>--pin-cpus</c>: the cores the engine may use; null when not pinned.</param>
internal sealed record LimitMachine(int Cores, int? EngineCores)
{
    /// <summary>Share of cores above which a resource counts as saturated.</summary>
    public const double Saturated = 0.9;

    public static LimitMachine ThisProcess(bool pinned) => new(
        Environment.ProcessorCount,
        pinned ? Math.Max(1, Environment.ProcessorCount - 1) : null);
}
