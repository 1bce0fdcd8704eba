namespace LoadBench.Engine.Scenarios;

/// <summary>
/// A scenario whose load never opens a client (every step a <c>RampingConstant</c> to 0 copies): it measures the
/// target idle — its fixed CPU per second at the scenario's rate and payload — which <c>loadbench plan</c> uses as
/// the fixed part of its CPU line (docs/capacity.md). Delivering nothing is then its result, not a failure.
/// </summary>
public static class IdleScenario
{
    public static bool Is(Scenario scenario)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        return scenario.Load.Count > 0 && scenario.Load.All(step => step is RampingConstant { Copies: 0 });
    }
}
