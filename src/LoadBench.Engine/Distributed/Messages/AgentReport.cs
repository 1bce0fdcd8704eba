using LoadBench.Results;

namespace LoadBench.Engine.Distributed.Messages;

/// <summary>
/// What one agent measured in one scenario, raw: counters, whole-phase histograms, its time series with a histogram
/// per second. The coordinator builds a result per agent from it and merges them exactly (ResultsMerger), so no
/// percentile is ever averaged across agents. <c>RecoveryHistogram</c>: the time to recover of every cut connection
/// of the measured phase and the drain (null or empty: none was cut), added across agents like the others.
/// <paramref name="EngineCores"/>: the agent process's CPU in cores from
/// its measured phase's start to the end of the drain (the window the coordinator reads the target's CPU over), so a
/// limit search can say whether the load generators, not the target, filled the machine; null from an older agent.
/// </summary>
internal sealed record AgentReport(
    bool Ok,
    string? Error,
    CountersWire? Counters,
    CountersWire? InWindow,
    CountersWire? Lifetime,
    string? EventHistogram,
    string? RequestHistogram,
    double DurationSeconds,
    int PeakClients,
    IReadOnlyList<TimeSeriesPoint>? TimeSeries,
    string? RecoveryHistogram = null,
    double? EngineCores = null);

/// <summary>A <see cref="Metrics.ClientCountersSnapshot"/> on the wire, every counter of it: the TLS part and the
/// compressed run's decoded bytes too (0 from an agent that predates them), or the merged result loses its
/// <c>bytes.tls</c> and <c>bytes.uncompressed</c>.</summary>
internal sealed record CountersWire(
    long EventsDelivered, long Requests, long EmptyResponses,
    long Lost, long Duplicates, long Reorders, long Reconnects, long GoneSignals, long Resets, long TooSlowSignals,
    long PayloadBytes, long FramingBytes, long HeaderBytes,
    long SocketBytesRead, long SocketBytesWritten,
    Dictionary<string, long> Errors,
    long TlsBytes = 0, long UncompressedPayloadBytes = 0, long DecodedBodyBytes = 0)
{
    public static CountersWire From(Metrics.ClientCountersSnapshot s) => new(
        s.EventsDelivered, s.Requests, s.EmptyResponses, s.Lost, s.Duplicates, s.Reorders, s.Reconnects, s.GoneSignals, s.Resets, s.TooSlowSignals,
        s.PayloadBytes, s.FramingBytes, s.HeaderBytes, s.SocketBytesRead, s.SocketBytesWritten,
        new Dictionary<string, long>(s.Errors, StringComparer.Ordinal),
        s.TlsBytes, s.UncompressedPayloadBytes, s.DecodedBodyBytes);

    public Metrics.ClientCountersSnapshot ToSnapshot() => new(
        EventsDelivered, Requests, EmptyResponses, Lost, Duplicates, Reorders, Reconnects, GoneSignals, Resets, TooSlowSignals,
        PayloadBytes, FramingBytes, HeaderBytes, SocketBytesRead, SocketBytesWritten,
        new Dictionary<string, long>(Errors, StringComparer.Ordinal))
    {
        TlsBytes = TlsBytes,
        UncompressedPayloadBytes = UncompressedPayloadBytes,
        DecodedBodyBytes = DecodedBodyBytes,
    };
}
