using LoadBench.Contracts;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LoadBench.Target.Feed;

/// <summary>The problem+json answers every route shares, so each mistake is described the same way everywhere.</summary>
internal static class FeedProblems
{
    public static ProblemHttpResult BadParameter(string parameter, string detail) => TypedResults.Problem(
        title: $"Invalid '{parameter}'",
        detail: detail,
        statusCode: StatusCodes.Status400BadRequest,
        extensions: new Dictionary<string, object?> { ["parameter"] = parameter });

    public static ProblemHttpResult BadRequest(string title, string detail) =>
        TypedResults.Problem(title: title, detail: detail, statusCode: StatusCodes.Status400BadRequest);

    /// <summary>410: the cursor is older than retention. Never a silent gap: the client learns where the feed now starts.</summary>
    public static ProblemHttpResult Gone(long after, long oldestSeq) => TypedResults.Problem(
        title: "Events no longer retained",
        detail: $"Events after seq {after} are gone: the oldest retained seq is {oldestSeq}. Resume with after=0 to read from the oldest retained event; events in between are lost.",
        statusCode: StatusCodes.Status410Gone,
        extensions: new Dictionary<string, object?> { ["oldestSeq"] = oldestSeq, ["after"] = after });

    /// <summary>
    /// 409: the client's epoch is not the feed's (it restarted). Its cursor means nothing here; it starts again
    /// from after=0 with <paramref name="epoch"/>. Counted apart from loss: the events were not dropped, the feed is new.
    /// </summary>
    public static ProblemHttpResult Reset(string epoch, long latestSeq) => TypedResults.Problem(
        title: "The feed restarted",
        detail: $"The feed is now at epoch {epoch} (latest seq {latestSeq}): a cursor from another epoch means nothing here. Start again from after=0 with epoch={epoch}.",
        statusCode: FeedReset.HttpStatus,
        extensions: new Dictionary<string, object?> { ["epoch"] = epoch, ["latestSeq"] = latestSeq });

    /// <summary>The data of SSE's in-band <c>event: reset</c>.</summary>
    public static string ResetJson(string epoch, long latestSeq) =>
        $$"""{"epoch":"{{epoch}}","latestSeq":{{latestSeq}}}""";

    public static string ResetWebSocketDescription(string epoch) => FeedReset.WebSocketDescriptionPrefix + epoch;

    /// <summary>The data of SSE's in-band <c>event: gone</c>.</summary>
    public static string GoneJson(long after, long oldestSeq) =>
        $$"""{"oldestSeq":{{oldestSeq}},"after":{{after}}}""";

    public static string GoneWebSocketDescription(long oldestSeq) => FeedGone.WebSocketDescriptionPrefix + oldestSeq;
}
