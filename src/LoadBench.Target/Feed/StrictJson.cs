using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using LoadBench.Contracts;

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
}
