using System.Globalization;
using LoadBench.Results;

namespace LoadBench.Reporting.Document;

/// <summary>
/// "Load agents": for a run spread over agents (<c>loadbench run --nats … --agents N</c>), which agent carried what
/// in each scenario, its own p50/p99, and its clock offset to the publisher with the uncertainty every one of its
/// latencies carries. The figures elsewhere in the report are the agents' results merged exactly (histograms added).
/// </summary>
internal static class AgentsSection
{
    public static void Add(List<Block> blocks, ResultsDocument results)
    {
        var withAgents = results.Scenarios.Where(s => s.Agents is { Count: > 0 }).ToList();
        if (withAgents.Count == 0)
        {
            return;
        }

        blocks.Add(new Heading(2, "Load agents"));
        blocks.Add(new Paragraph(
            "The load was spread over load agents by their open-file budgets, every phase started on all of them at one instant " +
            "of the publisher's clock. Every figure in this report is their results merged exactly: histograms added, counters summed, " +
            "no percentile averaged. Each agent's receive times were corrected by its clock offset to the publisher (± half the " +
            "shortest round trip of the estimate)."));
        if (results.Incomplete is { } incomplete)
        {
            blocks.Add(new Paragraph($"Incomplete: {incomplete.Reason}."));
        }

        var rows = new List<IReadOnlyList<string>>();
        foreach (var scenario in withAgents)
        {
            foreach (var agent in scenario.Agents!)
            {
                rows.Add([
                    scenario.Name,
                    agent.Name,
                    agent.LoadSimulation,
                    Format.Count(agent.Clients),
                    Format.Count(agent.EventsDelivered),
                    agent.P50Ms is { } p50 ? Format.Ms(p50) : "—",
                    agent.P99Ms is { } p99 ? Format.Ms(p99) : "—",
                    $"{agent.ClockOffsetMs.ToString("0.###", CultureInfo.InvariantCulture)} ± {agent.ClockUncertaintyMs.ToString("0.###", CultureInfo.InvariantCulture)} ms",
                    agent.LostAt is { } lost ? $"lost at {lost.UtcDateTime.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture)} UTC" : "finished",
                ]);
            }
        }

        blocks.Add(new Table(["scenario", "agent", "its load", "clients", "events", "p50", "p99", "clock offset", "status"], rows));
    }
}
