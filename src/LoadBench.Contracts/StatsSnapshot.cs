using System.Text.Json.Serialization;

namespace LoadBench.Contracts;

/// <summary>The answer of <c>GET /stats</c>.</summary>
/// <param name="Transports">Keyed by <see cref="TransportIds"/> (<c>poll</c>, <c>longpoll</c>, <c>sse</c>, <c>ws</c>),
/// plus <c>other</c> for every request that is not a feed transport (info, settings, stats, the demo page).</param>
/// <param name="Process">The target's CPU and memory.</param>
/// <param name="RejectedConnections">Connections refused because the target was at its connection limit.</param>
public sealed record StatsSnapshot(
    [property: JsonPropertyName("transports")] IReadOnlyDictionary<string, TransportStats> Transports,
    [property: JsonPropertyName("process")] ProcessStats Process,
    [property: JsonPropertyName("rejectedConnections")] long RejectedConnections = 0);
