using LoadBench.Engine.Scenarios;

namespace LoadBench.Engine.Running;

/// <summary>
/// Warms the target before the first scenario: drives each transport the plan uses for a moment and throws
/// the results away. A freshly started target JIT-compiles its request paths during the first requests; a
/// scenario's own warm-up is too short to absorb that, and the first scenario then reported several times
/// the CPU per 1,000 events that the same scenario costs later in the run.
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

        var transports = plan.Scenarios.Select(s => s.Transport).Distinct(StringComparer.Ordinal).ToList();
        var payloadBytes = plan.Scenarios[0].Feed.PayloadBytes;
        progress?.Report(new RunProgress("target_warm_up", 0, plan.Scenarios.Count, RunPhase.WarmUp, TimeSpan.Zero,
            length * transports.Count, 0, 0, 0, $"warming the target on {string.Join(", ", transports)} (results discarded)"));
        foreach (var transport in transports)
        {
            var scenario = new Scenario
            {
                Name = "target_warm_up_" + transport,
                Transport = transport,
                Feed = new FeedSpec(RatePerSecond, payloadBytes),
                Load = [new KeepConstant(Clients, length)],
                Client = new ClientSpec { PollInterval = TimeSpan.FromMilliseconds(50), LongPollTimeout = TimeSpan.FromSeconds(5) },
            };
            await executor.RunAsync(scenario, 0, plan.Scenarios.Count, progress: null, cancellationToken);
        }
    }
}
