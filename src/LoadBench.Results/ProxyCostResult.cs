using System.Text.Json.Serialization;

namespace LoadBench.Results;

/// <summary>
/// What the nginx the engine started for a scenario's <c>via</c> spent (master and every worker, from <c>/proc</c>),
/// over the same window as <see cref="ServerCostResult"/> — which already includes it: this is the proxy's part of
/// the server cost, shown apart so a reader sees proxy against target. Absent for a direct scenario and for a proxy
/// someone else runs (its processes are not the engine's to read).
/// </summary>
public sealed record ProxyCostResult
{
    /// <summary>The nginx configuration's name (a file of <c>deploy/nginx/</c>).</summary>
    [JsonPropertyName("configuration")] public required string Configuration { get; init; }
    [JsonPropertyName("cpuMs")] public required double CpuMs { get; init; }
    /// <summary>nginx CPU time per 1,000 delivered events (null when nothing was delivered).</summary>
    [JsonPropertyName("cpuMsPer1000Events")] public double? CpuMsPer1000Events { get; init; }
    [JsonPropertyName("cpuCores")] public required double CpuCores { get; init; }
    /// <summary>Resident memory of master and workers after start, before the scenario's clients.</summary>
    [JsonPropertyName("residentBytesBefore")] public required long ResidentBytesBefore { get; init; }
    [JsonPropertyName("residentBytesPeak")] public required long ResidentBytesPeak { get; init; }
    /// <summary>(peak − before) / clients, in KiB.</summary>
    [JsonPropertyName("kibPerConnection")] public double? KibPerConnection { get; init; }

    /// <summary>The HTTP version nginx spoke to the target, plain: "1.1", or "1.0" (the buffering pitfall) — whatever
    /// the client ↔ nginx leg spoke (the scenario's <c>setup.http</c> and <c>setup.tls</c> are that leg's). Null in
    /// files written before it was recorded.</summary>
    [JsonPropertyName("upstreamHttp")] public string? UpstreamHttp { get; init; }

    public static ProxyCostResult Create(string configuration, double cpuMs, TimeSpan wall, long residentBefore, long residentPeak, long events, int clients) => new()
    {
        Configuration = configuration,
        CpuMs = cpuMs,
        CpuMsPer1000Events = events > 0 ? cpuMs * 1000.0 / events : null,
        CpuCores = wall > TimeSpan.Zero ? cpuMs / wall.TotalMilliseconds : 0,
        ResidentBytesBefore = residentBefore,
        ResidentBytesPeak = Math.Max(residentPeak, residentBefore),
        KibPerConnection = clients > 0 ? Math.Max(0, residentPeak - residentBefore) / 1024.0 / clients : null,
    };
}
