using LoadBench.Contracts;

namespace LoadBench.Reporting.Capacity;

/// <summary>What limited the instance count of a projection.</summary>
public enum CapacityBound
{
    /// <summary>No need asks for more than one instance.</summary>
    None,
    Cpu,
    Memory,
    OpenFiles,
}

/// <summary>One transport's projection: the target's cost at the requested scale, and the instances it takes.</summary>
/// <param name="TargetCores">Target CPU at the requested scale, in cores (CPU seconds per second), over all instances
/// (with a fitted fixed cost, that cost once per instance).</param>
/// <param name="RetainedMemoryBytes">Retained heap for every connection: subscribers × memory per connection.</param>
/// <param name="TotalMemoryBytes">Retained heap plus <see cref="CapacityPlanner.AllowanceMiBPerInstance"/> per instance.</param>
/// <param name="EgressBitsPerSecond">Bytes per delivered event (and, for short polling, per request) × the rate, in bits/s.</param>
/// <param name="Warnings">Sentences for projections more than 10× beyond what was measured.</param>
public sealed record CapacityProjection(
    CapacityBasis Basis,
    long Subscribers,
    double RatePerSecond,
    int PayloadBytes,
    double? PollIntervalMs,
    double DeliveriesPerSecond,
    double? RequestsPerSecond,
    double TargetCores,
    double RetainedMemoryBytes,
    double TotalMemoryBytes,
    double EgressBitsPerSecond,
    int InstancesForCpu,
    int InstancesForMemory,
    int InstancesForOpenFiles,
    IReadOnlyList<string> Warnings)
{
    /// <summary>With a known resolution (<see cref="CapacityBasis.MemoryResolution"/>): the retained heap projected
    /// from (growth − resolution)⁺, else null.</summary>
    public double? RetainedMemoryLowerBytes { get; init; }

    /// <summary>With a known resolution: the retained heap projected from growth + resolution, else null.</summary>
    public double? RetainedMemoryUpperBytes { get; init; }

    /// <summary>Whether the measured growth was resolved (<see cref="CapacityMemory.Resolved"/>): then
    /// <see cref="RetainedMemoryBytes"/> is growth × subscribers ÷ clients; when not, it is the interval's upper end.
    /// Null when the resolution is unknown.</summary>
    public bool? MemoryResolved { get; init; }

    public int Instances => Math.Max(1, Math.Max(InstancesForCpu, Math.Max(InstancesForMemory, InstancesForOpenFiles)));

    public CapacityBound Bound =>
        Math.Max(InstancesForCpu, Math.Max(InstancesForMemory, InstancesForOpenFiles)) <= 1 ? CapacityBound.None
        : Instances == InstancesForOpenFiles && InstancesForOpenFiles >= InstancesForCpu && InstancesForOpenFiles >= InstancesForMemory ? CapacityBound.OpenFiles
        : Instances == InstancesForMemory && InstancesForMemory >= InstancesForCpu ? CapacityBound.Memory
        : CapacityBound.Cpu;
}

/// <summary>A plan: the request, one projection per transport, and the assumptions it rests on.</summary>
public sealed record CapacityPlan(CapacityRequest Request, IReadOnlyList<CapacityProjection> Projections)
{
    /// <summary>Every projection's warnings, in transport order.</summary>
    public IReadOnlyList<string> Warnings => [.. Projections.SelectMany(p => p.Warnings)];
}

/// <summary>
/// Projects the target's cost linearly from measured figures: CPU follows deliveries (subscribers × rate), or for
/// short polling requests (subscribers ÷ poll interval) — through zero, or as a fixed cost per instance plus a slope
/// when two client counts were measured (<see cref="CapacityBasis.CpuFit"/>); memory follows open connections; bytes follow deliveries
/// (and requests). It is arithmetic on a results file and nothing else.
/// </summary>
public static class CapacityPlanner
{
    /// <summary>Open files one process may hold here (<c>ulimit -n</c>; see scenarios/bench/fd-limit.sh).</summary>
    public const int OpenFilesPerProcess = 20_000;

    /// <summary>Descriptors kept back from connections: listening sockets, logs, the runtime's own files.</summary>
    public const int OpenFileReserve = 1_000;

    /// <summary>Memory per instance besides the connections: the runtime, JIT code, the feed's retained events, GC headroom.</summary>
    public const double AllowanceMiBPerInstance = 512;

    /// <summary>Share of an instance's cores the plan fills, leaving headroom for bursts and garbage collection.</summary>
    public const double CpuUtilisation = 0.7;

    /// <summary>Beyond this factor over a measured figure a projection carries a warning.</summary>
    public const double ExtrapolationWarningFactor = 10;

    public static int ConnectionsPerInstance => OpenFilesPerProcess - OpenFileReserve;

    /// <summary>Checks the request; null when it is usable, otherwise why, naming the option.</summary>
    public static string? Invalid(CapacityRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        static bool Positive(double v) => double.IsFinite(v) && v > 0;
        if (request.Subscribers <= 0) return $"--subscribers must be a positive whole number, got {request.Subscribers}";
        if (request.RatePerSecond is { } r && !Positive(r)) return $"--rate must be a positive number of events per second, got {r}";
        if (request.PayloadBytes is { } p && p <= 0) return $"--payload-bytes must be a positive number of bytes, got {p}";
        if (request.PollIntervalMs is { } i && !Positive(i)) return $"--poll-interval must be positive, got {i} ms";
        if (!Positive(request.InstanceCores)) return $"--instance-cores must be a positive number, got {request.InstanceCores}";
        if (!Positive(request.InstanceMemoryGiB)) return $"--instance-memory-gib must be a positive number, got {request.InstanceMemoryGiB}";
        if (request.InstanceMemoryGiB * 1024 <= AllowanceMiBPerInstance)
        {
            return $"--instance-memory-gib {request.InstanceMemoryGiB} leaves nothing for connections after the {AllowanceMiBPerInstance} MiB allowance per instance";
        }

        return null;
    }

    public static CapacityPlan Plan(IReadOnlyList<CapacityBasis> bases, CapacityRequest request)
    {
        ArgumentNullException.ThrowIfNull(bases);
        ArgumentNullException.ThrowIfNull(request);
        if (Invalid(request) is { } why)
        {
            throw new ArgumentException(why, nameof(request));
        }

        return new CapacityPlan(request, [.. bases.Select(b => Project(b, request))]);
    }

    public static CapacityProjection Project(CapacityBasis basis, CapacityRequest request)
    {
        ArgumentNullException.ThrowIfNull(basis);
        ArgumentNullException.ThrowIfNull(request);
        var polling = basis.Transport == TransportIds.Polling;
        var n = request.Subscribers;
        var rate = request.RatePerSecond ?? basis.RatePerSecond;
        var payload = request.PayloadBytes ?? basis.PayloadBytes;
        var interval = polling ? request.PollIntervalMs ?? basis.PollIntervalMs : null;
        var deliveries = n * rate;
        double? requests = interval is { } ms ? n * 1000.0 / ms : null;

        // Through zero: load × the measured cost per unit. Fitted: a fixed cost per instance plus slope × load, so an
        // instance holds (its CPU budget − the fixed part) ÷ slope of load.
        var load = polling ? requests!.Value : deliveries;
        var fit = basis.CpuFit;
        var cpuBudgetMs = request.InstanceCores * CpuUtilisation * 1000;
        var loadMsPerSecond = fit is { } f ? load * f.MsPerLoadUnit
            : polling ? load * basis.CpuMsPerRequest!.Value : load * basis.CpuMsPer1000Events / 1000;
        var forCpu = fit is null ? Ceiling(loadMsPerSecond / cpuBudgetMs)
            : fit.FixedMsPerSecond >= cpuBudgetMs ? int.MaxValue
            : Ceiling(loadMsPerSecond / (cpuBudgetMs - fit.FixedMsPerSecond));

        // The payload's bytes scale; the event's envelope, framing and headers stay as measured.
        var payloadPerEvent = Math.Max(0, basis.PayloadBytesPerEvent + payload - basis.PayloadBytes);
        var bytesPerSecond = polling
            ? deliveries * payloadPerEvent + requests!.Value * basis.OverheadBytesPerRequest!.Value
            : deliveries * (payloadPerEvent + basis.OverheadBytesPerEvent);

        // Resolved or of unknown resolution: as measured. Below the resolution: the interval's upper end, so a growth in
        // the heap's noise neither vanishes nor is taken at its word.
        var resolution = basis.MemoryResolution;
        var range = resolution is { } r ? CapacityMemory.Scale(basis.MeasuredGrowthBytes, basis.Clients, r.Bytes, n) : default;
        bool? resolved = resolution is { } rr ? CapacityMemory.Resolved(basis.MeasuredGrowthBytes, rr.Bytes) : null;
        var retained = resolved == false ? range.Upper : n * basis.KibPerConnection * 1024;
        var perInstanceForConnections = (request.InstanceMemoryGiB * 1024 - AllowanceMiBPerInstance) * 1024 * 1024;
        var forMemory = Ceiling(retained / perInstanceForConnections);
        var forFiles = Ceiling((double)n / ConnectionsPerInstance);
        var instances = Math.Max(1, Math.Max(forCpu, Math.Max(forMemory, forFiles)));
        var cores = (loadMsPerSecond + (fit is null ? 0 : instances * fit.FixedMsPerSecond)) / 1000;
        var total = retained + instances * AllowanceMiBPerInstance * 1024 * 1024;

        var warnings = new List<string>();
        var name = TransportIds.DisplayName(basis.Transport);
        void WarnIfFar(double projected, double measured, string what, Func<double, string> format)
        {
            if (projected > measured * ExtrapolationWarningFactor)
            {
                warnings.Add($"{name}: {format(projected)} {what} is {Format.Times(projected / measured)} the {format(measured)} measured " +
                    $"(scenario '{basis.ScenarioName}') — more than 10× beyond the measured range, so treat it as a rough guide.");
            }
        }

        WarnIfFar(n, basis.Clients, "subscribers", v => Format.Count((long)Math.Round(v)));
        WarnIfFar(rate, basis.RatePerSecond, "events/s", Format.Rate);
        WarnIfFar(payload, basis.PayloadBytes, "payload bytes", v => Format.Count((long)Math.Round(v)));
        if (requests is { } q)
        {
            WarnIfFar(q, basis.RequestsPerSecond, "requests/s", Format.Rate);
        }

        return new CapacityProjection(
            basis, n, rate, payload, interval, deliveries, requests, cores, retained, total, bytesPerSecond * 8,
            forCpu, forMemory, forFiles, warnings)
        {
            RetainedMemoryLowerBytes = resolution is null ? null : range.Lower,
            RetainedMemoryUpperBytes = resolution is null ? null : range.Upper,
            MemoryResolved = resolved,
        };
    }

    private static int Ceiling(double value) => value <= 0 ? 0 : (int)Math.Min(int.MaxValue, Math.Ceiling(value - 1e-9));
}
