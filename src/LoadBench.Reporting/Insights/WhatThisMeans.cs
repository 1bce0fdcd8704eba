using LoadBench.Contracts;
using LoadBench.Reporting.Model;
using LoadBench.Results;
using static LoadBench.Reporting.Insights.Wording;

namespace LoadBench.Reporting.Insights;

/// <summary>
/// The "what this means" paragraph, written from the numbers alone. Every sentence states something the
/// results show; a comparison is made only between values that both exist, and a missing measurement is
/// left out rather than guessed.
/// </summary>
internal static class WhatThisMeans
{
    /// <summary>Events/s must grow by at least this share of the client growth to count as "in step".</summary>
    public const double ScalingEfficiencyThreshold = 0.8;

    private const int MaxIntegritySentences = 6;

    public static IReadOnlyList<string> Sentences(ResultsDocument results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var sentences = new List<string>();
        var groups = SetupGroup.All(results);
        var headline = HeadlineGroup(groups);
        if (headline is not null)
        {
            // Say why this setup leads only when there was a choice of client counts.
            var explainChoice = groups.Select(g => g.Setup.Clients).Distinct().Count() > 1;
            sentences.AddRange(LowestP99.Sentences(headline, explainChoice));
            sentences.AddRange(ServerCost(headline));
        }

        sentences.AddRange(HeaderBytes(results));
        sentences.AddRange(Saturation(results));
        sentences.AddRange(Faults(results));
        sentences.AddRange(Integrity(results));
        sentences.AddRange(ProxySentences.Sentences(results));
        sentences.AddRange(LimitSentences.Sentences(results));
        if (results.Scenarios.All(s => s.Throughput.EventsDelivered == 0) && results.Scenarios.Any(s => s.PublishRatePerSecond > 0))
        {
            sentences.Insert(0, "No scenario delivered an event, so there is nothing to compare.");
        }

        return sentences;
    }

    /// <summary>
    /// The setup the paragraph leads with: the most clients (then the highest rate and payload) at which at
    /// least two transports delivered events, since that is where transports differ most.
    /// </summary>
    internal static SetupGroup? HeadlineGroup(IReadOnlyList<SetupGroup> groups) =>
        groups
            .Where(g => g.Scenarios.Where(s => s.Latency.Event.Count > 0).Select(s => s.Transport).Distinct(StringComparer.Ordinal).Count() >= 2)
            .OrderByDescending(g => g.Setup.Clients)
            .ThenByDescending(g => g.Setup.RatePerSecond)
            .ThenByDescending(g => g.Setup.PayloadBytes)
            .FirstOrDefault();

    private static IEnumerable<string> ServerCost(SetupGroup group)
    {
        var cpu = group.Scenarios.Where(s => s.Server.CpuMsPer1000Events is not null).OrderBy(s => s.Server.CpuMsPer1000Events).ToList();
        if (cpu.Count >= 2 && cpu[0].Server.CpuMsPer1000Events < cpu[^1].Server.CpuMsPer1000Events)
        {
            yield return $"At that setup the target spent the least CPU time per 1,000 delivered events on {Name(group, cpu[0])} " +
                $"({Format.Ms(cpu[0].Server.CpuMsPer1000Events!.Value)} ms) and the most on {Name(group, cpu[^1])} ({Format.Ms(cpu[^1].Server.CpuMsPer1000Events!.Value)} ms).";
        }

        var memory = group.Scenarios.Where(s => s.Server.KibPerConnection is not null).OrderBy(s => s.Server.KibPerConnection).ToList();
        if (memory.Count >= 2 && memory[0].Server.KibPerConnection < memory[^1].Server.KibPerConnection)
        {
            yield return $"It held the least memory per subscriber with {Name(group, memory[0])} ({Format.Bytes(memory[0].Server.KibPerConnection!.Value)} KiB) " +
                $"and most with {Name(group, memory[^1])} ({Format.Bytes(memory[^1].Server.KibPerConnection!.Value)} KiB).";
        }
    }

    /// <summary>
    /// Header bytes per delivered event for each transport over all scenarios: total header bytes over total
    /// events (a weighted figure; per-scenario averages are never averaged).
    /// </summary>
    private static IEnumerable<string> HeaderBytes(ResultsDocument results)
    {
        var perTransport = results.Scenarios
            .Where(s => s.Throughput.EventsDelivered > 0)
            .GroupBy(s => s.Transport, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (Headers: g.Sum(s => (double)s.Bytes.Headers), Events: g.Sum(s => (double)(s.Bytes.Events ?? s.Throughput.EventsDelivered)), Scenarios: g.ToList()), StringComparer.Ordinal);
        if (!perTransport.TryGetValue(TransportIds.Polling, out var polling) ||
            !(perTransport.ContainsKey(TransportIds.Sse) || perTransport.ContainsKey(TransportIds.WebSocket)))
        {
            yield break;
        }

        var pollingPerEvent = polling.Headers / polling.Events;
        var others = TransportIds.All.Where(t => t != TransportIds.Polling && perTransport.ContainsKey(t))
            .Select(t => (Transport: t, PerEvent: perTransport[t].Headers / perTransport[t].Events))
            .ToList();
        var sentence = $"Across all scenarios, short polling spent {Format.Bytes(pollingPerEvent)} bytes of HTTP headers per delivered event, against " +
            JoinAnd(others.Select(o => $"{Format.Bytes(o.PerEvent)} for {Lower(o.Transport)}"));
        var streaming = others.Where(o => o.Transport is TransportIds.Sse or TransportIds.WebSocket).OrderBy(o => o.PerEvent).First();
        if (streaming.PerEvent > 0 && pollingPerEvent > streaming.PerEvent)
        {
            sentence += $" ({Format.Times(pollingPerEvent / streaming.PerEvent).TrimStart('×')} times {Lower(streaming.Transport)}'s)";
        }

        if (polling.Scenarios.All(s => s.Throughput.EmptyResponseShare is not null) && polling.Scenarios.Sum(s => s.Throughput.Requests) > 0)
        {
            var requests = polling.Scenarios.Sum(s => (double)s.Throughput.Requests);
            var empty = polling.Scenarios.Sum(s => s.Throughput.EmptyResponseShare!.Value * s.Throughput.Requests);
            sentence += $"; {Format.Percent(empty / requests)} of its polls came back empty";
        }

        yield return sentence + ".";
    }

    private static List<string> Saturation(ResultsDocument results)
    {
        var families = ScalingFamily.All(results);
        var examined = 0;
        var found = new List<string>();
        foreach (var family in families)
        {
            foreach (var series in family.Series)
            {
                var points = series.Points.Where(p => p.Throughput.EventsDelivered > 0).DistinctBy(p => p.Clients).ToList();
                if (points.Count < 2)
                {
                    continue;
                }

                examined++;
                for (var i = 1; i < points.Count; i++)
                {
                    var (before, after) = (points[i - 1], points[i]);
                    var clientGrowth = (double)after.Clients / before.Clients;
                    var throughputGrowth = after.Throughput.EventsPerSecond / before.Throughput.EventsPerSecond;
                    if (throughputGrowth / clientGrowth >= ScalingEfficiencyThreshold)
                    {
                        continue;
                    }

                    var verb = throughputGrowth < 1 ? "fell" : "stopped growing in step with clients";
                    found.Add($"{Capitalize(series.Label)}'s delivered events/s {verb} between {Format.Count(before.Clients)} and {Format.Count(after.Clients)} clients " +
                        $"({family.Describe()}): clients {Format.Times(clientGrowth)}, events/s {Format.Times(throughputGrowth)} " +
                        $"({Format.Rate(before.Throughput.EventsPerSecond)} → {Format.Rate(after.Throughput.EventsPerSecond)}) — a sign of saturation.");
                    break;
                }
            }
        }

        if (found.Count > 0)
        {
            return found;
        }

        if (examined == 0)
        {
            return found;
        }

        var most = families.SelectMany(f => f.ClientCounts).Max();
        return [$"Delivered events/s grew in step with the number of clients (at least {Format.Percent(ScalingEfficiencyThreshold)} of proportional growth) for every transport measured at several client counts, up to {Format.Count(most)} clients: no saturation was reached."];
    }

    /// <summary>How the transports came through injected faults: nothing lost or repeated (or who did), reconnects
    /// and resets, and who recovered quickest and slowest at p99.</summary>
    private static IEnumerable<string> Faults(ResultsDocument results)
    {
        var faulted = results.Scenarios.Where(s => s.Faults is { Count: > 0 }).ToList();
        if (faulted.Count == 0)
        {
            yield break;
        }

        var kinds = JoinAnd(faulted.SelectMany(s => s.Faults!).Select(f => f.Kind).Distinct(StringComparer.Ordinal));
        var reconnects = faulted.Sum(s => s.Integrity.Reconnects);
        var resets = faulted.Sum(s => s.Integrity.Resets ?? 0);
        var counts = $"{Format.Count(reconnects)} {Plural(reconnects, "reconnect")}" + (resets > 0 ? $" and {Format.Count(resets)} {Plural(resets, "reset")}" : "") + " in all";
        var broken = faulted.Where(s => s.Integrity.Lost > 0 || s.Integrity.Duplicates > 0).ToList();
        yield return broken.Count == 0
            ? $"Through the injected faults ({kinds}) every client resumed from its cursor without losing or repeating an event ({counts})."
            : $"Through the injected faults ({kinds}) {JoinAnd(broken.Select(s => $"{Lower(s.Transport)} ({s.Name})"))} lost or repeated events ({counts}): see {FaultsTitle}.";

        var recovered = faulted.Where(s => s.Latency.Recovery is { Count: > 0 }).OrderBy(s => s.Latency.Recovery!.P99Ms).ToList();
        if (recovered.Count >= 2 && recovered[0].Latency.Recovery!.P99Ms < recovered[^1].Latency.Recovery!.P99Ms)
        {
            yield return $"A cut connection was back and receiving quickest with {Lower(recovered[0].Transport)} (p99 {Format.Ms(recovered[0].Latency.Recovery!.P99Ms)} ms) " +
                $"and slowest with {Lower(recovered[^1].Transport)} (p99 {Format.Ms(recovered[^1].Latency.Recovery!.P99Ms)} ms).";
        }
        else if (recovered.Count == 1)
        {
            yield return $"A cut connection was back and receiving within {Format.Ms(recovered[0].Latency.Recovery!.P99Ms)} ms at p99.";
        }
    }

    private const string FaultsTitle = "Faults and recovery";

    private static List<string> Integrity(ResultsDocument results)
    {
        var sentences = new List<string>();
        var reconnectedCleanly = new List<string>();
        var problems = 0;
        foreach (var scenario in results.Scenarios)
        {
            var parts = new List<string>();
            var integrity = scenario.Integrity;
            if (integrity.Lost > 0) parts.Add($"lost {Format.Count(integrity.Lost)} {Plural(integrity.Lost, "event")}");
            if (integrity.Duplicates > 0) parts.Add($"received {Format.Count(integrity.Duplicates)} {Plural(integrity.Duplicates, "duplicate")}");
            if (integrity.Reorders > 0) parts.Add($"received {Format.Count(integrity.Reorders)} {Plural(integrity.Reorders, "event")} out of order");
            if (integrity.GoneSignals > 0) parts.Add($"was told {Format.Count(integrity.GoneSignals)} {Plural(integrity.GoneSignals, "time")} that its cursor had fallen out of retention");
            if (scenario.Errors.Count > 0)
            {
                var kinds = scenario.Errors.ByKind.OrderByDescending(k => k.Value).ThenBy(k => k.Key, StringComparer.Ordinal).Select(k => $"{k.Key} ×{Format.Count(k.Value)}");
                parts.Add($"had {Format.Count(scenario.Errors.Count)} {Plural(scenario.Errors.Count, "error")} ({Format.Percent(scenario.Errors.Rate)} of requests{(scenario.Errors.ByKind.Count > 0 ? ": " + string.Join(", ", kinds) : string.Empty)})");
            }

            var who = $"{Capitalize(TransportIds.DisplayName(scenario.Transport))} ({scenario.Name}: {Setup.Of(scenario).DescribeInSentence()})";
            if (parts.Count > 0)
            {
                problems++;
                if (sentences.Count < MaxIntegritySentences)
                {
                    if (integrity.Reconnects > 0) parts.Add($"reconnected {Format.Count(integrity.Reconnects)} {Plural(integrity.Reconnects, "time")}");
                    sentences.Add($"{who} {JoinAnd(parts)}.");
                }
            }
            else if (integrity.Reconnects > 0)
            {
                reconnectedCleanly.Add($"{who} reconnected {Format.Count(integrity.Reconnects)} {Plural(integrity.Reconnects, "time")} without losing, repeating or reordering an event.");
            }
        }

        if (problems > sentences.Count)
        {
            sentences.Add($"{problems - sentences.Count} more {Plural(problems - sentences.Count, "scenario")} had integrity problems or errors: see the tables.");
        }

        if (problems == 0 && results.Scenarios.Count > 0)
        {
            sentences.Add("No transport lost, duplicated or reordered an event, and no request failed.");
        }

        sentences.AddRange(reconnectedCleanly.Take(MaxIntegritySentences));
        return sentences;
    }
}
