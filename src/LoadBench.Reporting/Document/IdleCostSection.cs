using System.Globalization;
using LoadBench.Contracts;
using LoadBench.Reporting.Capacity;
using LoadBench.Results;

namespace LoadBench.Reporting.Document;

/// <summary>
/// The report's "Idle cost" section: for each scenario whose feed published nothing by design, what one idle
/// subscriber costs per hour on the wire and in target CPU — heartbeats, polls and keep-alives, nothing else. Each
/// scenario is its own row, with its setup beside its transport (heartbeat on and off are never merged). When the
/// plan also measured the target with no client at all (a <c>RampingConstant</c> to 0 copies on a silent feed),
/// that base load is subtracted, so the last column is what the connections themselves cost.
/// </summary>
internal static class IdleCostSection
{
    public const string Title = "Idle cost";

    private const string None = "—";

    public static void Add(List<Block> blocks, ResultsDocument results)
    {
        var idle = results.Scenarios.Where(s => s.Idle is not null && s.Clients > 0).ToList();
        if (idle.Count == 0)
        {
            return;
        }

        var baseLoad = BaseLoadMsPerSecond(results);
        blocks.Add(new Heading(2, Title));
        blocks.Add(new Paragraph(
            "These scenarios published no event: what an idle subscriber costs. Bytes are everything the clients read and wrote on their " +
            "sockets inside the measured window (heartbeats, polls and their answers; connecting is before it), per connection, scaled to an hour. " +
            "Target CPU is the target process's CPU time over the window divided by its connections, scaled to an hour; the engine's " +
            "per-second /stats sampling is not done for a feed that publishes nothing, so it is not in the figure. " +
            (baseLoad is { } b
                ? string.Create(CultureInfo.InvariantCulture, $"The target with no client at all used {b:0.00} ms of CPU per second (its publisher, timers and GC); ") +
                  "the last column subtracts that base load, leaving what the connections themselves cost."
                : "It includes the target's own base load: add a scenario with no client (a RampingConstant to 0 copies on a silent feed) to subtract it.")));
        blocks.Add(new Table(
            ["Scenario", "Transport", "Setup", "Poll interval (ms)", "Connections", "Bytes / connection / hour", "Target CPU ms / connection / hour",
             .. baseLoad is null ? Array.Empty<string>() : ["Without the base load"]],
            [.. idle.Select(s => (IReadOnlyList<string>)[
                s.Name,
                TransportIds.DisplayName(s.Transport),
                SetupResults.Describe(s.Setup),
                s.PollIntervalMs is { } interval ? Format.Ms(interval) : None,
                Format.Count(s.Clients),
                Format.Count((long)Math.Round(s.Idle!.BytesPerConnectionPerHour)),
                s.Idle.CpuMsPerConnectionPerHour is { } cpu ? Format.Ms(cpu) : None,
                .. baseLoad is { } fixedMs ? [NetOfBaseLoad(s, fixedMs)] : Array.Empty<string>()])]));
    }

    /// <summary>CPU ms per second of the plan's no-client scenario on a silent feed, or null when it has none.</summary>
    internal static double? BaseLoadMsPerSecond(ResultsDocument results) =>
        results.Scenarios.FirstOrDefault(s => CapacityBasis.IsIdle(s) && s.PublishRatePerSecond == 0) is { } b
            ? b.Server.CpuMs / b.DurationSeconds
            : null;

    /// <summary>The row's CPU per connection-hour less the base load's share: base ms/s × 3,600 ÷ connections. A
    /// difference lost in the noise (not above 0) is said as such rather than printed as a cost below zero.</summary>
    private static string NetOfBaseLoad(ScenarioResult s, double baseMsPerSecond)
    {
        if (s.Idle?.CpuMsPerConnectionPerHour is not { } cpu)
        {
            return None;
        }

        var net = cpu - baseMsPerSecond * 3600 / s.Clients;
        return double.IsFinite(net) && net > 0 ? Format.Ms(net) : "within the base load's noise";
    }
}
