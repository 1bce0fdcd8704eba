using System.Globalization;
using LoadBench.Results;

namespace LoadBench.Reporting.Capacity;

/// <summary>
/// How finely a results file measures retained heap: how far the target's retained heap (after a full, compacting
/// collection) moved over an idle scenario, with no client at all. Pooled buffers released, the feed's growing
/// retention and a request in flight at the collection all move it; a growth no larger than this is not a figure.
/// </summary>
/// <param name="Bytes">|retained heap at the idle scenario's end − at its start|.</param>
/// <param name="IdleScenario">The idle scenario it was read from.</param>
public sealed record MemoryResolution(double Bytes, string IdleScenario);

/// <summary>
/// The resolution rule for memory per connection. A measured growth g (retained heap with the clients − before them)
/// is <b>resolved</b> when g ≥ <see cref="ResolvedFactor"/> × resolution R: its own error is then at most R ÷ g = 25 %,
/// the honesty check's tolerance, and the projection is g × subscribers ÷ clients. Below that the projection is an
/// interval, (g ± R) × subscribers ÷ clients, and the plan sizes instances by its upper end.
/// </summary>
public static class CapacityMemory
{
    /// <summary>A growth this many resolutions or more is resolved (error ≤ 1 ÷ 4 = 25 %).</summary>
    public const double ResolvedFactor = 4;

    /// <summary>The resolution an idle scenario shows, or null when it lacks either retained-heap reading.</summary>
    public static MemoryResolution? FromIdle(ScenarioResult idle)
    {
        ArgumentNullException.ThrowIfNull(idle);
        return idle.Server is { RetainedHeapBytesBefore: { } before, RetainedHeapBytesWithClients: { } after }
            ? new MemoryResolution(Math.Abs(after - before), idle.Name)
            : null;
    }

    /// <summary>Whether <paramref name="growthBytes"/> is resolved at <paramref name="resolutionBytes"/>.</summary>
    public static bool Resolved(double growthBytes, double resolutionBytes) => growthBytes >= ResolvedFactor * resolutionBytes;

    /// <summary>
    /// The retained heap for <paramref name="subscribers"/> from a growth measured at <paramref name="clients"/>:
    /// (lower, central, upper) = ((g − R)⁺, g, g + R) × subscribers ÷ clients.
    /// </summary>
    public static (double Lower, double Central, double Upper) Scale(double growthBytes, int clients, double resolutionBytes, long subscribers)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(clients);
        var factor = (double)subscribers / clients;
        return (Math.Max(0, growthBytes - resolutionBytes) * factor, growthBytes * factor, (growthBytes + resolutionBytes) * factor);
    }

    /// <summary>
    /// The memory line of a plan's assumptions: the resolution, which transports' figures it resolves, and for the
    /// others the interval projected instead. Null when no projection knows its resolution.
    /// </summary>
    internal static string? Line(CapacityPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var known = plan.Projections.Where(p => p.Basis.MemoryResolution is not null).ToList();
        if (known.Count == 0)
        {
            return plan.Projections.Count == 0 ? null
                : "The memory figures' resolution is unknown (the results hold no idle scenario with retained-heap readings): " +
                  "each is projected as measured, however small the growth it comes from.";
        }

        var r = known[0].Basis.MemoryResolution!;
        var parts = new List<string>
        {
            $"Memory resolution: the retained heap moved by {Mib(r.Bytes)} MiB over the idle scenario '{r.IdleScenario}' with no client at all; " +
            $"a measured growth is taken as resolved when it is at least {CapacityMemory.ResolvedFactor.ToString(CultureInfo.InvariantCulture)}× that " +
            "(its own error is then at most 25 %), and then projected as growth × subscribers ÷ clients.",
        };
        foreach (var p in known)
        {
            var name = Contracts.TransportIds.DisplayName(p.Basis.Transport);
            var growth = $"{Mib(p.Basis.MeasuredGrowthBytes)} MiB growth at {Format.Count(p.Basis.Clients)} clients";
            parts.Add(p.MemoryResolved == true
                ? $"{name}: {growth}, resolved."
                : $"{name}: {growth} is below {CapacityMemory.ResolvedFactor.ToString(CultureInfo.InvariantCulture)}× the resolution, so its memory is " +
                  $"projected as an interval, (growth ± resolution) × subscribers ÷ clients = {Mib(p.RetainedMemoryLowerBytes ?? 0)}–{Mib(p.RetainedMemoryUpperBytes ?? 0)} MiB, " +
                  "and instances are sized by its upper end.");
        }

        return string.Join(" ", parts);
    }

    private static string Mib(double bytes) => Format.Rate(bytes / (1024.0 * 1024));
}
