using LoadBench.Contracts;
using LoadBench.Results;

namespace LoadBench.Reporting.Capacity;

/// <summary>
/// Target CPU as a fixed cost per instance plus a slope × load, fitted through two scenarios: the target idle (no
/// clients; <paramref name="LowClients"/> 0) and the transport's largest, or two client counts of one transport (same
/// rate, payload and poll interval). Load is deliveries/s, or requests/s for short polling.
/// </summary>
/// <param name="FixedMsPerSecond">CPU ms per second with no load: publisher, timers, GC, <c>/stats</c>; counted once per instance.</param>
/// <param name="MsPerLoadUnit">CPU ms per delivery (or, for short polling, per request).</param>
public sealed record CapacityCpuFit(double FixedMsPerSecond, double MsPerLoadUnit, string LowScenario, int LowClients, string HighScenario, int HighClients)
{
    /// <summary>The load (deliveries/s, or requests/s for short polling) of the low and the high scenario: the measured
    /// range the line was drawn through.</summary>
    public (double Low, double High) LoadPerSecond { get; init; }

    /// <summary>True when short polling's line was drawn through its two highest request rates instead of from idle
    /// (<see cref="CapacityBasis.Choose"/>).</summary>
    public bool ThroughRequestRates { get; init; }
}

/// <summary>
/// The measured figures one transport's projection starts from, taken from one scenario of a results file: the
/// one with the most clients (then the highest event rate, then the longest measured phase), since it is the closest to the scale projected to — and, in a comparison run, the same setup for every transport, so the table compares like with like.
/// When the file also holds an idle scenario (no clients) at the same rate and payload, target CPU is fitted as
/// fixed + slope × load through the idle cost and this scenario (<see cref="CpuFit"/>); failing that, when it holds
/// the transport at a smaller client count with the same rate, payload and poll interval, through the two largest
/// client counts; otherwise it is a line through zero. Short polling is fitted first through its two highest request
/// rates when they are at least 2× apart (its cost per request falls as the rate grows; see TwoRequestRates). Only the target's own cost is read (<c>server.*</c>); the engine's cost is never in it.
/// </summary>
/// <param name="CpuMsPer1000Events">Target CPU per 1,000 delivered events (<c>server.cpuMsPer1000Events</c>).</param>
/// <param name="CpuMsPerRequest">Short polling only: target CPU per request (<c>server.cpuMs ÷ throughput.requests</c>),
/// since its cost follows subscribers ÷ poll interval rather than deliveries.</param>
/// <param name="KibPerConnection">Target retained heap per open connection (<c>server.kibPerConnection</c>).</param>
/// <param name="PayloadBytesPerEvent">Event JSON per delivered event (<c>bytes.perEvent.payload</c>): the payload plus its envelope.</param>
/// <param name="OverheadBytesPerEvent">Framing and headers per delivered event (streaming transports; they stay when the payload changes).</param>
/// <param name="OverheadBytesPerRequest">Short polling only: framing and headers per request.</param>
public sealed record CapacityBasis(
    string Transport,
    string ScenarioName,
    int Clients,
    double RatePerSecond,
    int PayloadBytes,
    double? PollIntervalMs,
    double RequestsPerSecond,
    double CpuMsPer1000Events,
    double? CpuMsPerRequest,
    double KibPerConnection,
    double PayloadBytesPerEvent,
    double OverheadBytesPerEvent,
    double? OverheadBytesPerRequest)
{
    /// <summary>The fixed + slope CPU fit, or null for a line through zero (see <see cref="CpuFitNote"/>).</summary>
    public CapacityCpuFit? CpuFit { get; init; }

    /// <summary>Why a second client count was found but not used (a negative fixed part or slope: noise), or null.</summary>
    public string? CpuFitNote { get; init; }

    /// <summary>How finely the results measured retained heap (from an idle scenario), or null when unknown
    /// (<see cref="CapacityMemory"/>).</summary>
    public MemoryResolution? MemoryResolution { get; init; }

    /// <summary>The retained heap the scenario's connections added: memory per connection × clients, in bytes.</summary>
    public double MeasuredGrowthBytes => KibPerConnection * 1024 * Clients;

    /// <summary>
    /// One basis per transport of <paramref name="results"/> (in the usual transport order), and for each transport
    /// none of whose scenarios has the figures a projection needs, why — naming the scenario and the results field.
    /// </summary>
    public static (IReadOnlyList<CapacityBasis> Bases, IReadOnlyList<string> Problems) Choose(ResultsDocument results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var bases = new List<CapacityBasis>();
        var problems = new List<string>();
        // A scenario with no clients measures the target's idle cost; it is a baseline, not a transport to project.
        var idle = results.Scenarios.Where(IsIdle).ToList();
        var resolution = idle.OrderByDescending(s => s.DurationSeconds).Select(CapacityMemory.FromIdle).FirstOrDefault(r => r is not null);
        var transports = results.Scenarios.Where(s => !IsIdle(s)).Select(s => s.Transport).Distinct(StringComparer.Ordinal)
            .OrderBy(t => TransportIds.All.ToList().IndexOf(t) is var i && i < 0 ? int.MaxValue : i).ToList();
        foreach (var transport in transports)
        {
            // Then the longest poll interval: of two polling runs with as many clients, the slower one's retained heap is
            // the connections' own, with the fewest requests in flight.
            var ordered = results.Scenarios.Where(s => s.Transport == transport && !IsIdle(s))
                .OrderByDescending(s => s.Clients).ThenByDescending(s => s.PublishRatePerSecond).ThenByDescending(s => s.DurationSeconds)
                .ThenByDescending(s => s.PollIntervalMs ?? 0).ToList();
            var checkedOnes = ordered.Select(s => (Scenario: s, Problem: Missing(s, zeroMemoryMeasured: resolution is not null))).ToList();
            if (checkedOnes.FirstOrDefault(c => c.Problem is null) is { Scenario: { } usable })
            {
                var basis = From(usable) with { MemoryResolution = resolution };
                if (transport == TransportIds.Polling && TwoRequestRates(ordered, usable) is { } rates
                    && WithFit(basis, rates.Low, rates.High) is { CpuFit: { } fit } fitted)
                {
                    bases.Add(fitted with { CpuFit = fit with { ThroughRequestRates = true } });
                    continue;
                }

                // The idle baseline first: it measures the fixed part directly, where a second client count only gives
                // it as the difference of two loaded figures, each as noisy as the other (docs/capacity.md).
                var lower = idle.Where(s => SameFeed(s, usable)).OrderByDescending(s => s.DurationSeconds).FirstOrDefault()
                    ?? ordered.Where(s => s.Clients < usable.Clients && HasCpuFigures(s) && SameShape(s, usable)).FirstOrDefault();
                bases.Add(lower is null ? basis : WithFit(basis, lower, usable));
            }
            else
            {
                var first = checkedOnes[0];
                problems.Add($"{TransportIds.DisplayName(transport)}: scenario '{first.Scenario.Name}': {first.Problem}" +
                    (checkedOnes.Count > 1 ? $" (and none of its other {checkedOnes.Count - 1} scenario(s) has the figures either)" : string.Empty));
            }
        }

        return (bases, problems);
    }

    /// <summary>What a scenario lacks for a projection, naming the results field, or null when it has everything.</summary>
    /// <param name="s">The scenario.</param>
    /// <param name="zeroMemoryMeasured">A memory per connection of 0 is a measurement (a growth below the resolution,
    /// projected as an interval up to the resolution) when the results say how finely they measure; otherwise it is
    /// no figure at all.</param>
    internal static string? Missing(ScenarioResult s, bool zeroMemoryMeasured = false)
    {
        ArgumentNullException.ThrowIfNull(s);
        static bool Positive(double? v) => v is { } x && double.IsFinite(x) && x > 0;
        static string Says(double? v) => v is { } x ? $"is {x.ToString(System.Globalization.CultureInfo.InvariantCulture)}, not a positive number" : "is missing";
        var polling = s.Transport == TransportIds.Polling;
        if (s.Clients <= 0) return $"clients is {s.Clients}: nothing to scale from";
        if (!Positive(s.PublishRatePerSecond)) return $"publishRatePerSecond {Says(s.PublishRatePerSecond)}";
        if (!Positive(s.DurationSeconds)) return $"durationSeconds {Says(s.DurationSeconds)}";
        if (!(Positive(s.Server.KibPerConnection) || zeroMemoryMeasured && s.Server.KibPerConnection == 0))
        {
            return $"server.kibPerConnection {Says(s.Server.KibPerConnection)}";
        }

        if (!polling && !Positive(s.Server.CpuMsPer1000Events)) return $"server.cpuMsPer1000Events {Says(s.Server.CpuMsPer1000Events)}";
        if (polling && !Positive(s.Server.CpuMs)) return $"server.cpuMs {Says(s.Server.CpuMs)}";
        if (polling && s.Throughput.Requests <= 0) return $"throughput.requests is {s.Throughput.Requests}: no CPU per request";
        if (polling && !Positive(s.PollIntervalMs)) return $"pollIntervalMs {Says(s.PollIntervalMs)}";
        if (polling && s.Throughput.EventsDelivered <= 0) return "throughput.eventsDelivered is 0: no bytes per request";
        if (!Positive(s.Bytes.PerEvent.Total)) return $"bytes.perEvent.total {Says(s.Bytes.PerEvent.Total)}";
        var parts = new[] { s.Bytes.PerEvent.Payload, s.Bytes.PerEvent.Framing, s.Bytes.PerEvent.Headers };
        if (parts.Any(p => !double.IsFinite(p) || p < 0)) return "bytes.perEvent.payload, .framing or .headers is negative or not a number";
        return null;
    }

    /// <summary>
    /// A scenario that ran with no clients at all (a <c>RampingConstant</c> to 0 copies) and met no error: its
    /// <c>server.cpuMs ÷ durationSeconds</c> is the target's fixed cost per second at that rate and payload —
    /// publisher, timers, GC and the engine's own <c>/stats</c> samples, which every loaded scenario carries too.
    /// </summary>
    internal static bool IsIdle(ScenarioResult s)
    {
        ArgumentNullException.ThrowIfNull(s);
        return s.Clients == 0 && s.Throughput.EventsDelivered == 0 && s.Throughput.Requests == 0 && s.Errors.Count == 0
            && double.IsFinite(s.DurationSeconds) && s.DurationSeconds > 0 && double.IsFinite(s.Server.CpuMs) && s.Server.CpuMs >= 0;
    }

    /// <summary>
    /// Short polling's two highest request rates at the basis's feed (any poll interval, any client count), when the
    /// higher is at least twice the lower; otherwise null. Polling's CPU per request is not constant: at a low rate
    /// nearly every poll wakes an idle server (a thread-pool worker, the socket engine), and as the rate grows one
    /// wake-up serves several requests, so the cost per request falls (docs/capacity.md, Run 6: 345 µs per request at
    /// 100 requests/s, 105 µs at 800). A line from idle through one slow run over-projects faster polling; a line
    /// through the two busiest runs is right where a projection scales to (beyond them it is an extrapolation).
    /// </summary>
    private static (ScenarioResult Low, ScenarioResult High)? TwoRequestRates(IEnumerable<ScenarioResult> polling, ScenarioResult basis)
    {
        var byRate = polling.Where(s => HasCpuFigures(s) && SameFeed(s, basis)).OrderByDescending(Load).ToList();
        if (byRate.Count < 2)
        {
            return null;
        }

        var high = byRate[0];
        var low = byRate.Skip(1).FirstOrDefault(s => Load(s) * 2 <= Load(high));
        // Only the next busiest counts: skipping past a close pair to a far slower run would reach back into the bend.
        return low is not null && ReferenceEquals(low, byRate[1]) ? (low, high) : null;
    }

    /// <summary>A second point for the CPU fit needs only CPU and load figures (not memory per connection).</summary>
    private static bool HasCpuFigures(ScenarioResult s) =>
        s.Clients > 0 && double.IsFinite(s.DurationSeconds) && s.DurationSeconds > 0 && double.IsFinite(s.Server.CpuMs) && s.Server.CpuMs >= 0 && Load(s) > 0;

    private static bool SameShape(ScenarioResult a, ScenarioResult b) => SameFeed(a, b) && Nullable.Equals(a.PollIntervalMs, b.PollIntervalMs);

    /// <summary>The publisher's side alike: with no clients the poll interval plays no part.</summary>
    private static bool SameFeed(ScenarioResult a, ScenarioResult b) =>
        a.PublishRatePerSecond.Equals(b.PublishRatePerSecond) && a.PayloadBytes == b.PayloadBytes;

    /// <summary>Load per second of the measured phase: deliveries, or for short polling requests.</summary>
    private static double Load(ScenarioResult s) =>
        (s.Transport == TransportIds.Polling ? s.Throughput.Requests : s.Throughput.EventsDelivered) / s.DurationSeconds;

    /// <summary>
    /// Fits CPU ms/s = fixed + slope × load through <paramref name="low"/> and <paramref name="high"/> (two points,
    /// so the line passes through both). A negative fixed part or a slope that is not positive is noise: the basis
    /// keeps its line through zero and says why.
    /// </summary>
    internal static CapacityBasis WithFit(CapacityBasis basis, ScenarioResult low, ScenarioResult high)
    {
        ArgumentNullException.ThrowIfNull(basis);
        ArgumentNullException.ThrowIfNull(low);
        ArgumentNullException.ThrowIfNull(high);
        double x1 = Load(low), x2 = Load(high);
        double y1 = low.Server.CpuMs / low.DurationSeconds, y2 = high.Server.CpuMs / high.DurationSeconds;
        var pair = $"'{low.Name}' ({Format.Count(low.Clients)} clients) and '{high.Name}' ({Format.Count(high.Clients)} clients)";
        var slope = x2 > x1 ? (y2 - y1) / (x2 - x1) : double.NaN;
        var fixedMs = y2 - slope * x2;
        // Exact proportional figures can leave a rounding residue just below zero; that is zero, not noise.
        if (Math.Abs(fixedMs) <= 1e-9 * Math.Max(1, y2))
        {
            fixedMs = 0;
        }

        var invariant = System.Globalization.CultureInfo.InvariantCulture;
        string? why = !(x2 > x1) ? "the larger client count did not carry more load"
            : !(slope > 0) ? string.Create(invariant, $"the slope came out {slope:0.####} ms per unit of load, not positive")
            : fixedMs < 0 ? string.Create(invariant, $"the fixed part came out {fixedMs:0.#} ms/s, negative")
            : null;
        return why is null
            ? basis with { CpuFit = new CapacityCpuFit(fixedMs, slope, low.Name, low.Clients, high.Name, high.Clients) { LoadPerSecond = (x1, x2) } }
            : basis with { CpuFitNote = $"a fixed + slope fit through {pair} was not used ({why}: noise), so the line goes through zero" };
    }

    private static CapacityBasis From(ScenarioResult s)
    {
        var perEvent = s.Bytes.PerEvent;
        var overheadPerEvent = perEvent.Framing + perEvent.Headers;
        var polling = s.Transport == TransportIds.Polling;
        var eventsPerRequest = polling ? (double)s.Throughput.EventsDelivered / s.Throughput.Requests : 0;
        return new CapacityBasis(
            s.Transport, s.Name, s.Clients, s.PublishRatePerSecond, s.PayloadBytes, polling ? s.PollIntervalMs : null,
            s.Throughput.Requests / s.DurationSeconds,
            // Short polling is projected per request; its per-event figure is kept for reading only.
            s.Server.CpuMsPer1000Events ?? s.Server.CpuMs * 1000 / Math.Max(1, s.Throughput.EventsDelivered),
            polling ? s.Server.CpuMs / s.Throughput.Requests : null,
            s.Server.KibPerConnection!.Value,
            perEvent.Payload,
            overheadPerEvent,
            polling ? overheadPerEvent * eventsPerRequest : null);
    }
}
