using System.Text.Json;
using System.Text.Json.Serialization;

namespace LoadBench.Engine.Distributed.Messages;

/// <summary>Source-generated JSON for every message between coordinator and agents.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(AgentHeartbeat))]
[JsonSerializable(typeof(CoordinatorHeartbeat))]
[JsonSerializable(typeof(JoinRequest))]
[JsonSerializable(typeof(JoinReply))]
[JsonSerializable(typeof(AgentAck))]
[JsonSerializable(typeof(PrepareRequest))]
[JsonSerializable(typeof(StartRequest))]
[JsonSerializable(typeof(AgentTick))]
[JsonSerializable(typeof(DrainRequest))]
[JsonSerializable(typeof(DrainReply))]
[JsonSerializable(typeof(StopRequest))]
[JsonSerializable(typeof(AgentReport))]
[JsonSerializable(typeof(LeaveRequest))]
internal sealed partial class DistributedJson : JsonSerializerContext;
