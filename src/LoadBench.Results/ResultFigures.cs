namespace LoadBench.Results;

/// <summary>
/// Derived figures computed from counted totals, in one place, so the engine (building a result) and the
/// merge (recombining two) can never compute them differently.
/// </summary>
public static class ResultFigures
{
    /// <summary>Builds the byte figures from totals: the parts add up to the total, per event divides by events.</summary>
    public static BytesResult Bytes(long payload, long framing, long headers, long events)
    {
        var total = payload + framing + headers;
        return new BytesResult
        {
            Events = events,
            Payload = payload,
            Framing = framing,
            Headers = headers,
            Total = total,
            PerEvent = new BytesPerEvent
            {
                Payload = Ratio(payload, events),
                Framing = Ratio(framing, events),
                Headers = Ratio(headers, events),
                Total = Ratio(total, events),
            },
        };
    }

    /// <summary>
    /// The uncompressed split beside a compressed run's wire split (<see cref="BytesResult.Uncompressed"/>).
    /// </summary>
    /// <param name="wire">The wire's split: its payload is the compressed body, its framing what was not compressed.</param>
    /// <param name="uncompressedPayload">Event JSON after decoding.</param>
    /// <param name="decodedBody">Body bytes after decoding (events and what frames them inside the body).</param>
    public static BytesResult WithUncompressed(BytesResult wire, long uncompressedPayload, long decodedBody)
    {
        ArgumentNullException.ThrowIfNull(wire);
        var framing = wire.Framing + decodedBody - uncompressedPayload;
        var events = wire.Events ?? 0;
        return wire with
        {
            Uncompressed = new UncompressedBytes
            {
                Payload = uncompressedPayload,
                Framing = framing,
                Ratio = wire.Payload > 0 ? (double)decodedBody / wire.Payload : null,
                PerEvent = new UncompressedPerEvent { Payload = Ratio(uncompressedPayload, events), Framing = Ratio(framing, events) },
            },
        };
    }

    /// <summary>Gives <paramref name="sum"/> (the wire totals of <paramref name="parts"/> added) the parts'
    /// uncompressed split added up — only when every part has one: a sum over some of them would pass for the whole.</summary>
    public static BytesResult SumUncompressed(BytesResult sum, IReadOnlyCollection<BytesResult> parts)
    {
        ArgumentNullException.ThrowIfNull(sum);
        ArgumentNullException.ThrowIfNull(parts);
        return parts.Count > 0 && parts.All(p => p.Uncompressed is not null)
            ? WithUncompressed(sum, parts.Sum(p => p.Uncompressed!.Payload),
                parts.Sum(p => p.Uncompressed!.Payload + p.Uncompressed.Framing - p.Framing))
            : sum;
    }

    /// <summary>
    /// Gives <paramref name="sum"/> (the plaintext totals of <paramref name="parts"/> added) the parts beside the wire
    /// split, each added up: the uncompressed split (<see cref="SumUncompressed"/>) and the TLS part, whose sum joins
    /// the total again. A part without a TLS figure ran plain, with no TLS bytes; the sum has none only when no part
    /// has one. Every merge of byte figures (agents, processes, trials) goes through here, so none can drop a part.
    /// </summary>
    public static BytesResult SumParts(BytesResult sum, IReadOnlyCollection<BytesResult> parts)
    {
        ArgumentNullException.ThrowIfNull(sum);
        ArgumentNullException.ThrowIfNull(parts);
        var withUncompressed = SumUncompressed(sum, parts);
        if (parts.All(p => p.Tls is null))
        {
            return withUncompressed;
        }

        var tls = parts.Sum(p => p.Tls ?? 0);
        var total = withUncompressed.Total + tls;
        var events = withUncompressed.Events ?? 0;
        return withUncompressed with
        {
            Tls = tls,
            Total = total,
            PerEvent = withUncompressed.PerEvent with { Tls = Ratio(tls, events), Total = Ratio(total, events) },
        };
    }

    /// <summary>Adds byte figures of several runs (trials, merged parts): null when any of them has none (a
    /// sum over some of them would pass for the whole), else the totals added and per event divided again.</summary>
    public static BytesResult? SumBytes(IEnumerable<BytesResult?> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        var list = parts.ToList();
        if (list.Count == 0 || list.Any(p => p is null))
        {
            return null;
        }

        return SumParts(
            Bytes(list.Sum(p => p!.Payload), list.Sum(p => p!.Framing), list.Sum(p => p!.Headers), list.Sum(p => p!.Events ?? 0)), list!);
    }

    /// <summary>Builds the server figures from measured totals (shared by the engine and the merge).</summary>
    /// <remarks>
    /// Memory per connection comes from the retained managed heap when both readings exist: each is taken after a
    /// full, compacting collection, so neither the GC's timing nor what an earlier scenario left behind moves it.
    /// Working-set growth is the fallback (older files, or a target that cannot collect on request): it is
    /// noisy, because a server GC grows and keeps its heap when it likes.
    /// </remarks>
    public static ServerCostResult ServerCost(
        double cpuMs, double cpuCores, long workingSetBefore, long workingSetPeak, long events, int clients,
        long? retainedBefore = null, long? retainedWithClients = null, long? residentWithClients = null) => new()
    {
        // Both working sets are read after a full collection (before: workingSetBefore), so what grew is what the
        // connections hold, native memory included.
        ResidentKibPerConnection = clients > 0 && residentWithClients is { } resident
            ? Math.Max(0, resident - workingSetBefore) / 1024.0 / clients
            : null,
        CpuMs = cpuMs,
        CpuMsPer1000Events = events > 0 ? cpuMs * 1000.0 / events : null,
        CpuCores = cpuCores,
        WorkingSetBytesBefore = workingSetBefore,
        WorkingSetBytesPeak = workingSetPeak,
        RetainedHeapBytesBefore = retainedBefore,
        RetainedHeapBytesWithClients = retainedWithClients,
        KibPerConnection = clients <= 0 ? null
            : retainedBefore is { } before && retainedWithClients is { } with ? Math.Max(0, with - before) / 1024.0 / clients
            : Math.Max(0, workingSetPeak - workingSetBefore) / 1024.0 / clients,
    };

    /// <summary><paramref name="part"/> / <paramref name="whole"/>, 0 when there is no whole.</summary>
    public static double Ratio(long part, long whole) => whole > 0 ? (double)part / whole : 0;

    /// <summary>
    /// Errors per request. With errors but no request at all (every open-model arrival dropped, every connect
    /// refused) the rate is 1 — everything attempted failed — not the 0 that <see cref="Ratio"/> would say.
    /// </summary>
    public static double ErrorRate(long errors, long requests) => requests > 0 ? (double)errors / requests : errors > 0 ? 1 : 0;

    /// <summary>Errors of several results counted together: counts per kind added, the rate over <paramref name="requests"/>.</summary>
    internal static ErrorsResult SumErrors(IEnumerable<ErrorsResult> errors, long requests)
    {
        var byKind = new SortedDictionary<string, long>(StringComparer.Ordinal);
        long count = 0;
        foreach (var result in errors)
        {
            count += result.Count;
            foreach (var (kind, n) in result.ByKind)
            {
                byKind[kind] = byKind.GetValueOrDefault(kind) + n;
            }
        }

        return new ErrorsResult { Count = count, Rate = ErrorRate(count, requests), ByKind = byKind };
    }

    /// <summary>Integrity of several results counted together: every count added; an optional count stays absent
    /// only when every result lacks it (older files).</summary>
    internal static IntegrityResult SumIntegrity(IReadOnlyList<IntegrityResult> results) => new()
    {
        Lost = results.Sum(r => r.Lost),
        Duplicates = results.Sum(r => r.Duplicates),
        Reorders = results.Sum(r => r.Reorders),
        Reconnects = results.Sum(r => r.Reconnects),
        GoneSignals = results.Sum(r => r.GoneSignals),
        Resets = SumOptional(results.Select(r => r.Resets)),
        TooSlowSignals = SumOptional(results.Select(r => r.TooSlowSignals)),
        LateEvents = SumOptional(results.Select(r => r.LateEvents)),
    };

    private static long? SumOptional(IEnumerable<long?> values)
    {
        long? sum = null;
        foreach (var value in values)
        {
            if (value is { } v)
            {
                sum = (sum ?? 0) + v;
            }
        }

        return sum;
    }
}
