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
        routes.MapPost(FeedRoutes.DropConnections, DropConnections);
        routes.MapFaults();
        return routes;
    }

    /// <summary>
    /// <c>POST /feed/drop-connections</c>: every open feed connection, or <c>?count=N</c> of them, or
    /// <c>?fraction=F</c> (0..1, rounded to the nearest connection) — the most recently opened first; the rest
    /// keep being served.
    /// </summary>
    private static Results<JsonHttpResult<DropResult>, ProblemHttpResult> DropConnections(
        string? count, string? fraction, FeedConnections connections)
    {
        if (count is not null && fraction is not null)
        {
            return FeedProblems.BadParameter("count", "Give 'count' or 'fraction', not both.");
        }

        if (count is not null)
        {
            if (!int.TryParse(count, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n))
            {
                return FeedProblems.BadParameter("count", $"'count' must be a whole number of connections from 0 to {int.MaxValue}, got '{count}'.");
            }

            return TypedResults.Json(new DropResult(connections.AbortNewest(n)), TargetJson.Default.DropResult);
        }

        if (fraction is not null)
        {
            if (!double.TryParse(fraction, System.Globalization.NumberStyles.AllowDecimalPoint, System.Globalization.CultureInfo.InvariantCulture, out var share)
                || share is < 0 or > 1)
            {
                return FeedProblems.BadParameter("fraction", $"'fraction' must be a number from 0 to 1 (a share of the open feed connections), got '{fraction}'.");
            }

            return TypedResults.Json(new DropResult(connections.AbortNewest((int)Math.Round(share * connections.Count))), TargetJson.Default.DropResult);
        }

        return TypedResults.Json(new DropResult(connections.AbortAll()), TargetJson.Default.DropResult);
    }

    private static async Task<Results<JsonHttpResult<FeedInfo>, ProblemHttpResult>> UpdateSettingsAsync(
        HttpRequest request, FeedLog log, ILoggerFactory loggers)
    {
        if (log.IsReplica)
        {
            // The settings belong to the publisher; a replica that took them would serve a feed nobody publishes.
            return FeedProblems.Replica();
        }

        var (settings, malformed) = await StrictJson.ReadBodyAsync(request, StrictJson.FeedSettings, "settings",
            "{\"ratePerSecond\":100,\"payloadBytes\":256}", loggers.CreateLogger(typeof(FeedEndpoints)));
        if (settings is null)
        {
            return malformed!;
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
