using System.Net.Http.Json;
using LoadBench.Contracts;

namespace LoadBench.Engine.Distributed.Clock;

/// <summary>
/// Estimates this machine's clock offset to the publisher's, NTP-style: for each of several samples read the local
/// clock (t0), ask <c>GET /feed/clock</c> (the server's time s), read the local clock again (t1). If the request and
/// the answer took equally long, s was read at (t0 + t1) / 2, so offset = s − (t0 + t1) / 2, good to within half the
/// round trip. The sample with the shortest round trip wins: it had the least room for queueing on either leg.
/// </summary>
internal static class ClockOffsetEstimator
{
    public const int DefaultSamples = 8;

    public static async Task<ClockOffset> EstimateAsync(
        HttpClient control, TimeProvider time, int samples, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(control);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(samples);

        // One request first, not counted: it opens the connection, so no sample pays for a handshake.
        await ReadServerAsync(control, cancellationToken);
        ClockOffset? best = null;
        var bestRoundTrip = long.MaxValue;
        for (var i = 0; i < samples; i++)
        {
            var started = time.GetTimestamp();
            var t0 = UnixMicros(time);
            var server = await ReadServerAsync(control, cancellationToken);
            var t1 = UnixMicros(time);
            var roundTrip = (long)time.GetElapsedTime(started).TotalMicroseconds;
            if (roundTrip < bestRoundTrip)
            {
                bestRoundTrip = roundTrip;
                best = new ClockOffset(server - (t0 + ((t1 - t0) / 2)), Math.Max(1, roundTrip / 2));
            }
        }

        return best!.Value;
    }

    private static async Task<long> ReadServerAsync(HttpClient control, CancellationToken cancellationToken) =>
        (await control.GetFromJsonAsync(FeedRoutes.Clock, ContractsJson.Default.FeedClock, cancellationToken)
            ?? throw new InvalidOperationException($"{FeedRoutes.Clock} answered null")).UnixMicros;

    private static long UnixMicros(TimeProvider time) =>
        (time.GetUtcNow().UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / TimeSpan.TicksPerMicrosecond;
}
