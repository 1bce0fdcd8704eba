using System.Text.Json.Serialization;

namespace LoadBench.Results;

/// <summary>
/// What an idle subscriber costs, for a scenario whose feed publishes nothing by design (rate 0): only heartbeats,
/// polls and keep-alives cross the wire. Both figures are per open connection and scaled to an hour from the
/// measured window, so the headers of connecting (before the window) are left out.
/// </summary>
public sealed record IdleCostResult
{
    /// <summary>Bytes the clients read and wrote on their sockets inside the measured window, per client, per hour.</summary>
    [JsonPropertyName("bytesPerConnectionPerHour")] public required double BytesPerConnectionPerHour { get; init; }

    /// <summary>Target CPU time per client per hour, in ms: the target's CPU over the window (its own base load
    /// included) divided by the clients, scaled to an hour. The engine reads <c>/stats</c> only at the window's
    /// two ends for such a scenario (no per-second samples), so its own sampling is not in this figure.</summary>
    [JsonPropertyName("cpuMsPerConnectionPerHour")] public double? CpuMsPerConnectionPerHour { get; init; }

    public static IdleCostResult Of(long socketBytes, double windowSeconds, double? serverCpuCores, int clients)
    {
        if (clients <= 0 || windowSeconds <= 0)
        {
            return new IdleCostResult { BytesPerConnectionPerHour = 0 };
        }

        return new IdleCostResult
        {
            BytesPerConnectionPerHour = socketBytes / (double)clients / windowSeconds * 3600,
            CpuMsPerConnectionPerHour = serverCpuCores is { } cores ? cores * 3600 * 1000 / clients : null,
        };
    }
}
