using System.Text.Json.Serialization;

namespace LoadBench.Contracts;

/// <summary>
/// The body of <c>POST /feed/faults</c>: one fault the target injects into itself, now. The answer is a
/// <see cref="FaultRecord"/> (202); <c>GET /feed/faults</c> lists every fault so far, so a report can mark
/// their periods. Unknown kinds and fields, and fields a kind does not take, are 400 problem+json.
/// </summary>
/// <param name="Kind">One of <see cref="FaultKinds"/>.</param>
/// <param name="Fraction">abort: the share of open feed connections aborted each second (0–1];
/// stall: the share of streaming subscribers whose writes stall (0–1].</param>
/// <param name="DurationMs">abort, stall, pause: how long the fault lasts (1 ms – 1 hour).</param>
public sealed record FaultRequest(
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("fraction")] double? Fraction = null,
    [property: JsonPropertyName("durationMs")] int? DurationMs = null);

/// <summary>A fault the target injected: what, and when by the target's clock (Unix microseconds, like event <c>ts</c>).</summary>
public sealed record FaultRecord(
    [property: JsonPropertyName("id")] int Id,
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("fraction")] double? Fraction,
    [property: JsonPropertyName("startUnixMicros")] long StartUnixMicros,
    [property: JsonPropertyName("endUnixMicros")] long EndUnixMicros);

/// <summary>The faults the target can inject.</summary>
public static class FaultKinds
{
    /// <summary>Abort <see cref="FaultRequest.Fraction"/> of the open feed connections every second, for the duration.</summary>
    public const string Abort = "abort";

    /// <summary>Stop writing to <see cref="FaultRequest.Fraction"/> of the streaming subscribers for the duration.</summary>
    public const string Stall = "stall";

    /// <summary>Publish nothing for the duration, then go on at the configured rate.</summary>
    public const string Pause = "pause";

    /// <summary>Abort every open feed connection at once (like <c>POST /feed/drop-connections</c>).</summary>
    public const string DropAll = "drop-all";

    /// <summary>Restart the feed: a new epoch, an empty ring, seq from 1 again; every follower gets a reset.</summary>
    public const string Restart = "restart";

    public static readonly IReadOnlyList<string> All = [Abort, Stall, Pause, DropAll, Restart];
}

/// <summary>The control token (<c>serve --control-token</c>): control routes need <c>Authorization: Bearer TOKEN</c>.</summary>
public static class ControlToken
{
    public const string Scheme = "Bearer";
}
