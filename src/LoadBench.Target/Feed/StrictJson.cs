using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using LoadBench.Contracts;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LoadBench.Target.Feed;

/// <summary>Control bodies are strict: a misspelt field is an error, not a silently ignored change.</summary>
internal static class StrictJson
{
    private static readonly JsonSerializerOptions Options = new(ContractsJson.Default.Options)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    public static JsonTypeInfo<FeedSettings> FeedSettings { get; } = (JsonTypeInfo<FeedSettings>)Options.GetTypeInfo(typeof(FeedSettings));

    public static JsonTypeInfo<FaultRequest> FaultRequest { get; } = (JsonTypeInfo<FaultRequest>)Options.GetTypeInfo(typeof(FaultRequest));

    /// <summary>
    /// Reads a control body: the value, or the 400 problem+json that says why not (malformed JSON, an unknown field,
    /// nothing at all). <paramref name="what"/> names it ("settings", "fault"); <paramref name="example"/> shows one.
    /// </summary>
    public static async Task<(T? Value, ProblemHttpResult? Problem)> ReadBodyAsync<T>(
        HttpRequest request, JsonTypeInfo<T> type, string what, string example, ILogger logger)
        where T : class
    {
        T? value;
        try
        {
            value = await JsonSerializer.DeserializeAsync(request.Body, type, request.HttpContext.RequestAborted);
        }
        catch (JsonException e)
        {
            logger.LogInformation("Rejected {What} body: {Reason}", what, e.Message);
            return (null, FeedProblems.BadRequest($"Malformed {what}", $"The body must be JSON like {example}: {e.Message}"));
        }

        return value is null
            ? (null, FeedProblems.BadRequest($"Malformed {what}", $"The body is empty or null; send JSON like {example}."))
            : (value, null);
    }
}
