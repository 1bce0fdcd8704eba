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
        HttpRequest request, FeedFaults faults, ILoggerFactory loggers)
    {
        FaultRequest? fault;
        try
        {
            fault = await JsonSerializer.DeserializeAsync(request.Body, StrictJson.FaultRequest, request.HttpContext.RequestAborted);
        }
        catch (JsonException e)
        {
            loggers.CreateLogger(typeof(FaultEndpoints)).LogInformation("Rejected fault body: {Reason}", e.Message);
            return FeedProblems.BadRequest("Malformed fault", $"The body must be JSON like {{\"kind\":\"abort\",\"fraction\":0.01,\"durationMs\":60000}}: {e.Message}");
        }

        if (fault is null)
        {
            return FeedProblems.BadRequest("Malformed fault", "The body is empty or null; send {\"kind\":…} with the fields the kind takes.");
        }

        if (FaultValidation.Problem(fault) is { } problem)
        {
            return problem;
        }

        return TypedResults.Json(faults.Inject(fault), ContractsJson.Default.FaultRecord, statusCode: StatusCodes.Status202Accepted);
    }
}
