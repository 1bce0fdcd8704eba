using LoadBench.Engine.Scenarios;
using LoadBench.Results;

namespace LoadBench.Engine.Running;

/// <summary>Writes a scenario's <see cref="ConnectionSetup"/> into its result (null for the default, as in every
/// file written before the setup existed), so the gate and the report never merge or compare across setups.</summary>
internal static class SetupResults
{
    public static ScenarioResult Stamp(ScenarioResult result, ConnectionSetup setup)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(setup);
        return setup.IsDefault ? result : result with { Setup = From(setup) };
    }

    public static SetupResult From(ConnectionSetup setup) => new()
    {
        Http = setup.Http,
        Tls = setup.Tls,
        Compression = setup.Compression,
        HeartbeatMs = setup.Heartbeat?.TotalMilliseconds,
        StreamsPerConnection = setup.StreamsPerConnection,
        Via = setup.Via,
    };
}
