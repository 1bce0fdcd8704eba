namespace LoadBench.Reporting.Capacity;

/// <summary>
/// What to plan for: <see cref="Subscribers"/> connected at once, each receiving every event of a feed at
/// <see cref="RatePerSecond"/> with <see cref="PayloadBytes"/> of data. A null rate, payload or poll interval means
/// "as measured" (each transport's own measured figure), which is what the report's section uses.
/// </summary>
public sealed record CapacityRequest
{
    /// <summary>Cores of one instance when none are given: a common small cloud VM.</summary>
    public const double DefaultInstanceCores = 4;

    /// <summary>Memory of one instance when none is given, in GiB.</summary>
    public const double DefaultInstanceMemoryGiB = 8;

    /// <summary>The subscriber count the report projects to.</summary>
    public const long ReportSubscribers = 100_000;

    public required long Subscribers { get; init; }

    public double? RatePerSecond { get; init; }

    public int? PayloadBytes { get; init; }

    /// <summary>Short polling's interval in ms; the other transports ignore it.</summary>
    public double? PollIntervalMs { get; init; }

    public double InstanceCores { get; init; } = DefaultInstanceCores;

    public double InstanceMemoryGiB { get; init; } = DefaultInstanceMemoryGiB;
}
