using LoadBench.Contracts;

namespace LoadBench.Target.Stats;

public static class StatsEndpoints
{
    /// <summary><c>GET /stats</c>: per transport, connections, requests, events and socket bytes; and the process's cost.</summary>
    public static RouteHandlerBuilder MapStats(this IEndpointRouteBuilder routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        return routes.MapGet(FeedRoutes.Stats, (FeedStats stats) => TypedResults.Json(stats.Snapshot(), ContractsJson.Default.StatsSnapshot));
    }
}
