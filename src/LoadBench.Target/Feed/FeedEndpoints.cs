using System.Text.Json;
using System.Text.Json.Serialization;
using LoadBench.Contracts;
using LoadBench.Target.Faults;
using LoadBench.Target.Stats;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LoadBench.Target.Feed;

/// <summary>
/// <c>/feed/info</c>, <c>/feed/settings</c>, <c>/feed/drop-connections</c> and <c>/feed/faults</c>: looking at
/// and steering the feed.
/// </summary>
public static class FeedEndpoints
{
    public static IEndpointRouteBuilder MapFeedControl(this IEndpointRouteBuilder routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        routes.MapGet(FeedRoutes.Info, (FeedLog log) => TypedResults.Json(log.Info(), ContractsJson.Default.FeedInfo));
        routes.MapPut(FeedRoutes.Settings, UpdateSettingsAsync);
        routes.MapPost(FeedRoutes.DropConnections, (FeedConnections connections) =>
            TypedResults.Json(new DropResult(connections.AbortAll()), TargetJson.Default.DropResult));
        routes.MapFaults();
        return routes;
    }

    private static async Task<Results<JsonHttpResult<FeedInfo>, ProblemHttpResult>> UpdateSettingsAsync(
        HttpRequest request, FeedLog log, ILoggerFactory loggers)
    {
        FeedSettings? settings;
        try
        {
            settings = await JsonSerializer.DeserializeAsync(request.Body, StrictJson.FeedSettings, request.HttpContext.RequestAborted);
        }
        catch (JsonException e)
        {
            loggers.CreateLogger(typeof(FeedEndpoints)).LogInformation("Rejected settings body: {Reason}", e.Message);
            return FeedProblems.BadRequest("Malformed settings", $"The body must be JSON like {{\"ratePerSecond\":100,\"payloadBytes\":256}}: {e.Message}");
        }

        if (settings is null)
        {
            return FeedProblems.BadRequest("Malformed settings", "The body is empty or null; send {\"ratePerSecond\":…,\"payloadBytes\":…}.");
        }

        if (settings.RatePerSecond is { } rate && (!double.IsFinite(rate) || rate < 0 || rate > FeedSettings.MaxRatePerSecond))
        {
            return FeedProblems.BadParameter("ratePerSecond", $"'ratePerSecond' must be from 0 (paused) to {FeedSettings.MaxRatePerSecond}, got {rate}.");
        }

        if (settings.PayloadBytes is { } bytes && (bytes < 0 || bytes > FeedSettings.MaxPayloadBytes))
        {
            return FeedProblems.BadParameter("payloadBytes", $"'payloadBytes' must be from 0 to {FeedSettings.MaxPayloadBytes}, got {bytes}.");
        }

        if (settings.DeliveryDelayMs is { } delay && (delay < 0 || delay > FeedSettings.MaxDeliveryDelayMs))
        {
            return FeedProblems.BadParameter("deliveryDelayMs", $"'deliveryDelayMs' must be from 0 to {FeedSettings.MaxDeliveryDelayMs}, got {delay}.");
        }

        log.UpdateSettings(settings.RatePerSecond, settings.PayloadBytes, settings.DeliveryDelayMs);
        return TypedResults.Json(log.Info(), ContractsJson.Default.FeedInfo);
    }
}

/// <summary>The answer of <c>POST /feed/drop-connections</c>.</summary>
public sealed record DropResult([property: JsonPropertyName("dropped")] int Dropped);

[JsonSerializable(typeof(DropResult))]
internal sealed partial class TargetJson : JsonSerializerContext;
