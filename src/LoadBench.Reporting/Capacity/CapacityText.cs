using System.Globalization;
using System.Text;
using LoadBench.Contracts;

namespace LoadBench.Reporting.Capacity;

/// <summary>
/// A plan in words and a table, the same for <c>loadbench plan</c> and the report's "Capacity planning" section.
/// </summary>
public static class CapacityText
{
    public static IReadOnlyList<string> Header(CapacityRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return
        [
            "Transport", "Projected from", "Target cores", "Retained memory (GiB)", "Memory with allowance (GiB)",
            "Egress (Mbit/s)", $"Instances ({Format.Rate(request.InstanceCores)} cores, {Format.Rate(request.InstanceMemoryGiB)} GiB)", "Bound by",
        ];
    }

    public static IReadOnlyList<IReadOnlyList<string>> Rows(CapacityPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        return [.. plan.Projections.Select(p => (IReadOnlyList<string>)[
            TransportIds.DisplayName(p.Basis.Transport),
            $"{p.Basis.ScenarioName} ({Format.Count(p.Basis.Clients)} clients)",
            Format.Rate(p.TargetCores),
            Format.Rate(p.RetainedMemoryBytes / Gib),
            Format.Rate(p.TotalMemoryBytes / Gib),
            Format.Rate(p.EgressBitsPerSecond / 1e6),
            Format.Count(p.Instances),
            Bound(p)])];
    }

    /// <summary>The headline: what was projected to.</summary>
    public static string Summary(CapacityPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var r = plan.Request;
        var rate = r.RatePerSecond is { } rps ? $"{Format.Rate(rps)} events/s" : "each transport's measured event rate";
        var payload = r.PayloadBytes is { } pb ? $"{Format.Count(pb)}-byte payloads" : "its measured payload size";
        var poll = plan.Projections.FirstOrDefault(p => p.PollIntervalMs is not null) is { PollIntervalMs: { } ms }
            ? $", short polling every {Format.Ms(ms)} ms" : string.Empty;
        return $"Target cost projected for {Format.Count(r.Subscribers)} subscribers, each receiving every event, at {rate} with {payload}{poll}; " +
            $"instances of {Format.Rate(r.InstanceCores)} cores and {Format.Rate(r.InstanceMemoryGiB)} GiB.";
    }

    /// <summary>The assumptions the figures rest on, in words.</summary>
    public static IReadOnlyList<string> Assumptions(CapacityPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var sentences = new List<string>
        {
            "Linear: target CPU grows with deliveries (subscribers × events/s); for short polling it grows " +
            "with requests (subscribers ÷ poll interval), and the mix of empty and full polls is assumed as measured. " +
            "Memory grows with open connections, bytes with deliveries (and polling requests).",
            "Each transport is projected from its scenario with the most clients (then the highest event rate) in the results (named in the table); the measured range is " +
            string.Join("; ", plan.Projections.Select(p => $"{TransportIds.DisplayName(p.Basis.Transport)} {Format.Count(p.Basis.Clients)} clients at " +
                $"{Format.Rate(p.Basis.RatePerSecond)} events/s of {Format.Count(p.Basis.PayloadBytes)} B" +
                (p.Basis.PollIntervalMs is { } ms ? $", polling every {Format.Ms(ms)} ms" : string.Empty))) + ".",
            "Only the target's own cost is counted (its CPU and heap, measured in its own process); the engine that drove the clients is not.",
            CpuLine(plan),
            $"Memory is the target's retained managed heap per connection (after a full collection) × subscribers, plus an allowance of " +
            $"{Format.Count((long)CapacityPlanner.AllowanceMiBPerInstance)} MiB per instance for the runtime, code, the feed's retained events and GC headroom; " +
            "kernel socket buffers are not in it (the kernel holds them outside the process, several KiB to MiB per socket depending on its tuning).",
            // Filled in below: the resolution line, and short polling's own reading of "per connection".
            "Bytes per event: the payload's bytes scale with the payload size; the event envelope, framing and headers stay as measured. " +
            "Egress is counted on the wire in both directions (requests included), so it is an upper bound on what the target sends. " +
            "CPU per event is assumed independent of the payload size within the measured range.",
            $"Instances: the most of three needs — CPU filled to {Format.Percent(CapacityPlanner.CpuUtilisation)} of an instance's cores, memory for connections " +
            $"(instance memory minus the allowance), and open files: {Format.Count(CapacityPlanner.OpenFilesPerProcess)} per process here, " +
            $"{Format.Count(CapacityPlanner.OpenFileReserve)} kept back, so at most {Format.Count(CapacityPlanner.ConnectionsPerInstance)} connections per instance.",
        };
        if (CapacityMemory.Line(plan) is { } resolution)
        {
            sentences.Insert(5, resolution);
        }

        if (plan.Projections.Any(p => p.Basis.Transport == TransportIds.Polling))
        {
            sentences.Insert(5, PollingMemory);
        }

        if (plan.Projections.Count == 0)
        {
            sentences.Add("No transport in the results has the figures a projection needs.");
        }

        return sentences;
    }

    /// <summary>
    /// What short polling's memory per connection is: read after the drain, while the clients wait for their next
    /// poll, so it is an idle keep-alive connection's share (its objects, and the pooled buffers the few requests in
    /// flight at once needed), not a request's. Kestrel's buffer pool grows to the most requests in flight at once,
    /// which follows requests/s × response time, not connections.
    /// </summary>
    internal const string PollingMemory =
        "Short polling's memory per connection is what the target retains per keep-alive connection between polls (read after a full " +
        "collection while the clients wait for their next poll): the connection's own objects plus its share of the pooled buffers that the " +
        "requests in flight at once needed. A poll in flight holds a few KiB more for its milliseconds; at one poll per second per client " +
        "few are in flight at once, so the projection assumes that share stays as measured (it grows with requests/s × response time, not with connections).";

    /// <summary>How each transport's CPU line was drawn: fitted (fixed + slope, through which scenarios) or through zero, and why.</summary>
    internal static string CpuLine(CapacityPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var fitted = plan.Projections.Where(p => p.Basis.CpuFit is not null).ToList();
        var throughZero = plan.Projections.Where(p => p.Basis.CpuFit is null).ToList();
        var parts = new List<string>();
        if (fitted.Count > 0)
        {
            parts.Add("Target CPU is fitted as a fixed cost per instance (publisher, timers, GC, /stats; counted once per instance) plus a slope × load, " +
                "through the target's cost with no clients (an idle scenario at the same rate and payload) and the largest client count, or without an idle " +
                "scenario through the two largest client counts measured at the same rate, payload and poll interval: " +
                string.Join("; ", fitted.Select(p =>
                {
                    var f = p.Basis.CpuFit!;
                    var unit = p.Basis.Transport == TransportIds.Polling ? "1,000 requests" : "1,000 deliveries";
                    var low = f.LowClients == 0 ? $"'{f.LowScenario}', idle" : $"'{f.LowScenario}', {Format.Count(f.LowClients)} clients";
                    var high = $"'{f.HighScenario}', {Format.Count(f.HighClients)} clients";
                    if (f.ThroughRequestRates)
                    {
                        low += $" at {Format.Rate(f.LoadPerSecond.Low)} requests/s";
                        high += $" at {Format.Rate(f.LoadPerSecond.High)} requests/s";
                    }

                    return $"{TransportIds.DisplayName(p.Basis.Transport)} {Format.Rate(f.FixedMsPerSecond)} ms/s + {Format.Rate(f.MsPerLoadUnit * 1000)} ms per {unit} " +
                        $"(from {low}, and {high})";
                })) + ".");
        }

        if (fitted.Any(p => p.Basis.CpuFit!.ThroughRequestRates))
        {
            parts.Add("Short polling's line goes through its two highest request rates measured, not through the idle cost: its CPU per request " +
                "falls as the request rate grows (at a low rate nearly every poll wakes an idle server; at a higher rate one wake-up serves several " +
                "requests), so a line from idle through a slow run over-projects faster polling (docs/capacity.md, Run 6). Its fixed part is the " +
                "line's intercept, not the idle cost. The line meets the measured cost at both rates; outside them it is an extrapolation that, on the " +
                "development machine, came out too low as well as too high (docs/capacity.md, Run 7): measure short polling near the request rate projected to.");
        }

        if (throughZero.Count > 0)
        {
            var notes = throughZero.Where(p => p.Basis.CpuFitNote is not null).Select(p => $"{TransportIds.DisplayName(p.Basis.Transport)}: {p.Basis.CpuFitNote}").ToList();
            parts.Add($"For {string.Join(", ", throughZero.Select(p => TransportIds.DisplayName(p.Basis.Transport)))} the CPU line goes through zero " +
                "(only one client count was measured at that rate, payload and poll interval" +
                (notes.Count > 0 ? ", or the fit was noise — " + string.Join("; ", notes) : string.Empty) + "), " +
                "so the target's fixed cost per second (publisher, timers, GC; 5–10 ms/s on the development machine) is scaled with the load and " +
                "CPU projected from a lightly loaded run comes out high (docs/capacity.md: 9–44 % high from one client count to 8× as many; " +
                "add an idle scenario — a RampingConstant to 0 copies — at the same rate and payload to measure the fixed cost).");
        }

        return string.Join(" ", parts);
    }

    /// <summary>The whole plan as plain text for a terminal: summary, aligned table, assumptions, warnings.</summary>
    public static string Plain(CapacityPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var text = new StringBuilder();
        text.AppendLine(Summary(plan)).AppendLine();
        var header = Header(plan.Request);
        var rows = Rows(plan);
        var widths = header.Select((h, i) => Math.Max(h.Length, rows.Select(r => r[i].Length).DefaultIfEmpty(0).Max())).ToList();
        void Line(IReadOnlyList<string> cells) => text.AppendLine(string.Join("  ", cells.Select((c, i) => i <= 1 ? c.PadRight(widths[i]) : c.PadLeft(widths[i]))).TrimEnd());
        Line(header);
        text.AppendLine(string.Join("  ", widths.Select(w => new string('-', w))));
        foreach (var row in rows)
        {
            Line(row);
        }

        text.AppendLine().AppendLine("Assumptions:");
        foreach (var sentence in Assumptions(plan))
        {
            text.Append("- ").AppendLine(sentence);
        }

        if (plan.Warnings.Count > 0)
        {
            text.AppendLine().AppendLine("Warnings:");
            foreach (var warning in plan.Warnings)
            {
                text.Append("- ").AppendLine(warning);
            }
        }

        return text.ToString();
    }

    private const double Gib = 1024.0 * 1024 * 1024;

    private static string Bound(CapacityProjection p) => p.Bound switch
    {
        CapacityBound.OpenFiles => string.Create(CultureInfo.InvariantCulture, $"open files ({Format.Count(CapacityPlanner.ConnectionsPerInstance)} connections each)"),
        CapacityBound.Memory => "memory",
        CapacityBound.None => "— (one is enough)",
        _ => "CPU",
    };
}
