using LoadBench.Contracts;

namespace LoadBench.Target.Clock;

/// <summary><c>GET /feed/clock</c>: the publisher's clock, the one that stamps every event's <c>ts</c>.</summary>
/// <remarks>Load agents on other machines estimate their clock's offset from it (several round trips, the shortest
/// wins), so their publish → receive latencies do not carry the difference between two machines' clocks.</remarks>
public static class ClockEndpoints
{
    public static IEndpointRouteBuilder MapClock(this IEndpointRouteBuilder routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        // The same TimeProvider the feed log stamps events with (a test's fake clock included).
        routes.MapGet(FeedRoutes.Clock, (TimeProvider time) =>
            TypedResults.Json(new FeedClock(UnixMicros(time.GetUtcNow())), ContractsJson.Default.FeedClock));
        return routes;
    }

    private static long UnixMicros(DateTimeOffset now) => (now.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / TimeSpan.TicksPerMicrosecond;
}
