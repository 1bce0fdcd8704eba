namespace LoadBench.Engine.Running;

public enum RunPhase
{
    /// <summary>Settings applied, clients being created.</summary>
    Starting,
    WarmUp,
    Measured,
    /// <summary>Publisher paused; clients catch up with the last event before they stop.</summary>
    Draining,
    Done,
}

/// <summary>What the CLI's live display shows; reported at each phase change and once per second.</summary>
/// <param name="Scenario">The scenario's name.</param>
/// <param name="Index">0-based position of the scenario in the plan.</param>
/// <param name="Count">Scenarios in the plan.</param>
/// <param name="Phase">The phase now.</param>
/// <param name="Elapsed">Time into this phase.</param>
/// <param name="Remaining">Time left in this phase (planned).</param>
/// <param name="EventsPerSecond">Events delivered in the last second, all clients.</param>
/// <param name="P99Ms">p99 publish → receive latency of the last second.</param>
/// <param name="Clients">Clients running (open models: requests in flight).</param>
/// <param name="Message">A notice worth showing (e.g. copies refused at the fd limit), or null.</param>
public sealed record RunProgress(
    string Scenario, int Index, int Count, RunPhase Phase, TimeSpan Elapsed, TimeSpan Remaining,
    double EventsPerSecond, double P99Ms, int Clients, string? Message = null);
