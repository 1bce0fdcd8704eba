using System.Text.Json;
using System.Text.Json.Serialization;

namespace LoadBench.Contracts;

/// <summary>Source-generated serializers for the wire types: no reflection on the hot path, trimming-safe.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(FeedEvent))]
[JsonSerializable(typeof(FeedEvent[]))]
[JsonSerializable(typeof(List<FeedEvent>))]
[JsonSerializable(typeof(FeedInfo))]
[JsonSerializable(typeof(TargetEndpoints))]
[JsonSerializable(typeof(FeedSettings))]
[JsonSerializable(typeof(FeedClock))]
[JsonSerializable(typeof(StatsSnapshot))]
[JsonSerializable(typeof(FaultRequest))]
[JsonSerializable(typeof(FaultRecord))]
[JsonSerializable(typeof(FaultRecord[]))]
public sealed partial class ContractsJson : JsonSerializerContext;
