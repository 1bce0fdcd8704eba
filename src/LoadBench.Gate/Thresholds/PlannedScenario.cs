namespace LoadBench.Gate.Thresholds;

/// <summary>
/// What the gate needs to know of a scenario before it runs: its name and transport (to check threshold keys)
/// and the settings that make two runs comparable (to check a baseline). The CLI builds these from the
/// engine's plan; the gate does not reference the engine.
/// </summary>
/// <param name="Name">The scenario's snake_case name, as it will appear in results.</param>
/// <param name="Transport">poll, longpoll, sse or ws.</param>
/// <param name="LoadSimulation">The load as results describe it, e.g. <c>KeepConstant(copies: 3, during: 00:00:03)</c>.</param>
/// <param name="PublishRatePerSecond">The feed's rate.</param>
/// <param name="PayloadBytes">The feed's payload size.</param>
/// <param name="WarmUpSeconds">The warm-up before the measured phase.</param>
public sealed record PlannedScenario(
    string Name, string Transport, string LoadSimulation, double PublishRatePerSecond, int PayloadBytes, double WarmUpSeconds)
{
    /// <summary>The production-path setup (HTTP version, TLS, compression, heartbeat, streams, proxy); null: the
    /// default. A baseline taken with another setup cannot judge this scenario.</summary>
    public LoadBench.Results.SetupResult? Setup { get; init; }
}
