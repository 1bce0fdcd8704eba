using System.Text.Json;
using LoadBench.Contracts;
using LoadBench.Target.Feed;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LoadBench.Target.Faults;

/// <summary><c>POST /feed/faults</c> (inject one, 202 with its record) and <c>GET /feed/faults</c> (every one so far).</summary>
public static class FaultEndpoints
{
    public static IEndpointRouteBuilder MapFaults(this IEndpointRouteBuilder routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        routes.MapPost(FeedRoutes.Faults, InjectAsync);
        routes.MapGet(FeedRoutes.Faults, (FeedFaults faults) => TypedResults.Json(faults.Records(), ContractsJson.Default.FaultRecordArray));
        return routes;
    }

    private static async Task<Results<JsonHttpResult<FaultRecord>, ProblemHttpResult>> InjectAsync(
        HttpRequest request, FeedFaults faults, FeedLog log, ILoggerFactory loggers)
    {
        var (fault, malformed) = await StrictJson.ReadBodyAsync(request, StrictJson.FaultRequest, "fault",
            "{\"kind\":\"abort\",\"fraction\":0.01,\"durationMs\":60000} (with the fields the kind takes)", loggers.CreateLogger(typeof(FaultEndpoints)));
        if (fault is null)
        {
            return malformed!;
        }

        if (FaultValidation.Problem(fault) is { } problem)
        {
            return problem;
        }

        if (log.IsReplica && fault.Kind is FaultKinds.Restart or FaultKinds.Pause)
        {
            // The feed belongs to the publisher: a replica that restarted or paused on its own would serve another feed.
            // Faults of its own connections (abort, stall, drop-all) are its own.
            return FeedProblems.Replica($"'{fault.Kind}' changes the feed, which belongs to the publisher: inject it there (the target started with --publish-to); the replicas follow.");
        }

        return TypedResults.Json(faults.Inject(fault), ContractsJson.Default.FaultRecord, statusCode: StatusCodes.Status202Accepted);
    }
}
