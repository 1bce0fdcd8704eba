using LoadBench.Contracts;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LoadBench.Target.Stats;

public static class StatsEndpoints
{
    /// <summary><c>GET /stats</c>: per transport, connections, requests, events and socket bytes; and the process's cost.</summary>
    public static RouteHandlerBuilder MapStats(this IEndpointRouteBuilder routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        return routes.MapGet(FeedRoutes.Stats, Results<JsonHttpResult<StatsSnapshot>, ProblemHttpResult> (string? gc, FeedStats stats) =>
        {
            switch (gc)
            {
                case null or "false":
                    break;
                case "true":
                    // A full, compacting, blocking collection: managedHeapBytes then says what the target really
                    // retains (memory per connection), whatever the GC happened to leave earlier. It pauses the
                    // target, so the engine asks for it only outside a measured window.
                    GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
                    GC.WaitForPendingFinalizers();
                    GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
                    break;
                default:
                    return Feed.FeedProblems.BadParameter("gc", $"'gc' must be true or false, got '{gc}'.");
            }

            return TypedResults.Json(stats.Snapshot(), ContractsJson.Default.StatsSnapshot);
        });
    }
}
