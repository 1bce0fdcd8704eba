using LoadBench.Engine.Scenarios;

namespace LoadBench.Engine.Running;

/// <summary>
/// Warms the target before the first scenario: drives each transport the plan uses, in each connection setup the plan
/// uses it with, for a moment and throws the results away. A freshly started target JIT-compiles its request paths
/// during the first requests; a scenario's own warm-up is too short to absorb that, and the first scenario then
/// reported several times the CPU per 1,000 events that the same scenario costs later in the run. HTTP/2, TLS and
/// compression are paths of their own (Kestrel's HTTP/2 frame writer, SslStream, the compressors): warming them over
/// HTTP/1.1 left them cold, so the first TLS or HTTP/2 scenario paid for their JIT.
/// </summary>
internal static class TargetWarmUp
{
    private const int Clients = 10;
    private const double RatePerSecond = 50;

    public static async Task RunAsync(
        ScenarioPlan plan, ScenarioExecutor executor, TimeSpan length, IProgress<RunProgress>? progress, CancellationToken cancellationToken)
    {
        if (length <= TimeSpan.Zero || plan.Scenarios.Count == 0)
        {
            return;
        }

        var paths = Paths(plan);
        var payloadBytes = plan.Scenarios[0].Feed.PayloadBytes;
        progress?.Report(new RunProgress("target_warm_up", 0, plan.Scenarios.Count, RunPhase.WarmUp, TimeSpan.Zero,
            length * paths.Count, 0, 0, 0, $"warming the target on {string.Join(", ", paths.Select(Describe))} (results discarded)"));
        foreach (var (transport, setup) in paths)
        {
            var scenario = new Scenario
            {
                Name = "target_warm_up_" + transport,
                Transport = transport,
                Feed = new FeedSpec(RatePerSecond, payloadBytes),
                Load = [new KeepConstant(Clients, length)],
                Client = new ClientSpec { PollInterval = TimeSpan.FromMilliseconds(50), LongPollTimeout = TimeSpan.FromSeconds(5) },
                Setup = setup,
            };
            await executor.RunAsync(scenario, 0, plan.Scenarios.Count, progress: null, cancellationToken);
        }
    }

    /// <summary>
    /// Each transport with each setup of the plan, in the plan's order, once: what reaches the target's code. A proxy
    /// (<c>via</c>) is left out — the warm-up is the target's, and an nginx per warm-up would only warm itself — and so
    /// are streams per connection, which the target serves with the same HTTP/2 code however many share a connection.
    /// </summary>
    internal static IReadOnlyList<(string Transport, ConnectionSetup Setup)> Paths(ScenarioPlan plan) =>
        [.. plan.Scenarios
            .Select(s => (s.Transport, Setup: s.Setup with { Via = ConnectionSetup.DirectVia, StreamsPerConnection = 1 }))
            .Distinct()];

    private static string Describe((string Transport, ConnectionSetup Setup) path) =>
        path.Setup.IsDefault ? path.Transport : $"{path.Transport} ({path.Setup.Describe()})";
}
