using LoadBench.Contracts;
using LoadBench.Results;

namespace LoadBench.Reporting.Document;

/// <summary>
/// The report's "Idle cost" section: for each scenario whose feed published nothing by design, what one idle
/// subscriber costs per hour on the wire and in target CPU — heartbeats, polls and keep-alives, nothing else. Each
/// scenario is its own row, with its setup beside its transport (heartbeat on and off are never merged).
/// </summary>
internal static class IdleCostSection
{
    public const string Title = "Idle cost";

    private const string None = "—";

    public static void Add(List<Block> blocks, ResultsDocument results)
    {
        var idle = results.Scenarios.Where(s => s.Idle is not null).ToList();
        if (idle.Count == 0)
        {
            return;
        }

        blocks.Add(new Heading(2, Title));
        blocks.Add(new Paragraph(
            "These scenarios published no event: what an idle subscriber costs. Bytes are everything the clients read and wrote on their " +
            "sockets inside the measured window (heartbeats, polls and their answers; connecting is before it), per connection, scaled to an hour. " +
            "Target CPU is the target process's CPU time over the window divided by its connections, scaled to an hour; it includes the " +
            "target's own base load, and leaves out the engine's per-second /stats sampling, which is not done for a feed that publishes nothing."));
        blocks.Add(new Table(
            ["Scenario", "Transport", "Setup", "Poll interval (ms)", "Connections", "Bytes / connection / hour", "Target CPU ms / connection / hour"],
            [.. idle.Select(s => (IReadOnlyList<string>)[
                s.Name,
                TransportIds.DisplayName(s.Transport),
                SetupResults.Describe(s.Setup),
                s.PollIntervalMs is { } interval ? Format.Ms(interval) : None,
                Format.Count(s.Clients),
                Format.Count((long)Math.Round(s.Idle!.BytesPerConnectionPerHour)),
                s.Idle.CpuMsPerConnectionPerHour is { } cpu ? Format.Ms(cpu) : None])]));
    }
}
