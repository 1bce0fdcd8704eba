using LoadBench.Contracts;
using LoadBench.Results;

namespace LoadBench.Reporting.Document;

/// <summary>
/// The report's "Faults and recovery" section: for each scenario that ran under injected faults, what the faults
/// were and how its clients came through them — reconnects, resets, late events, time to recover, and whether
/// anything was lost or repeated.
/// </summary>
internal static class FaultsSection
{
    public const string Title = "Faults and recovery";

    private const string None = "—";

    public static void Add(List<Block> blocks, ResultsDocument results)
    {
        var faulted = results.Scenarios.Where(s => s.Faults is { Count: > 0 }).ToList();
        if (faulted.Count == 0)
        {
            return;
        }

        blocks.Add(new Heading(2, Title));
        blocks.Add(new Paragraph(
            "The target injected these faults into itself during the measured phase (shaded on the latency-over-time charts). " +
            "Time to recover runs from the moment a client found its connection cut (or its feed reset) to its first event after reconnecting. " +
            "Late events were published in the measured window and received after it, in the drain; they are not lost."));
        blocks.Add(new Table(
            ["Scenario", "Transport", "Faults", "Reconnects", "Resets", "Late events", "Recover p50 (ms)", "Recover p99 (ms)", "Lost", "Duplicates"],
            [.. faulted.Select(s => (IReadOnlyList<string>)[
                s.Name,
                TransportIds.DisplayName(s.Transport),
                Describe(s.Faults!),
                Format.Count(s.Integrity.Reconnects),
                s.Integrity.Resets is { } resets ? Format.Count(resets) : None,
                s.Integrity.LateEvents is { } late ? Format.Count(late) : None,
                s.Latency.Recovery is { Count: > 0 } r50 ? Format.Ms(r50.P50Ms) : None,
                s.Latency.Recovery is { Count: > 0 } r99 ? Format.Ms(r99.P99Ms) : None,
                Format.Count(s.Integrity.Lost),
                Format.Count(s.Integrity.Duplicates)])]));
    }

    /// <summary><c>abort 1% 5–65 s</c>, <c>restart at 12 s</c>; several joined with <c>; </c>.</summary>
    internal static string Describe(IReadOnlyList<FaultPeriod> faults) =>
        string.Join("; ", faults.Select(f =>
            f.Kind
            + (f.Fraction is { } fraction ? " " + Format.Percent(fraction) : "")
            + (f.EndSeconds > f.StartSeconds
                ? $" {Format.Rate(f.StartSeconds)}–{Format.Rate(f.EndSeconds)} s"
                : $" at {Format.Rate(f.StartSeconds)} s")));
}
