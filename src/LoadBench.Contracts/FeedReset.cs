namespace LoadBench.Contracts;

/// <summary>
/// How the target says "the feed you were following restarted: your cursor means nothing here" — a feed
/// epoch (<see cref="FeedInfo.Epoch"/>) changes on every restart, clients send the epoch they know beside their
/// cursor (<see cref="QueryParameter"/>), and a stale epoch gets a reset, in-band like "gone":
/// <list type="bullet">
/// <item>poll and long-poll: 409 Conflict, problem+json with the extensions <c>epoch</c> (the current one) and
/// <c>latestSeq</c>;</item>
/// <item>SSE: one event with <c>event: reset</c> and <c>data: {"epoch":"…","latestSeq":N}</c>, then the
/// stream ends;</item>
/// <item>WebSocket: a close frame with status <see cref="WebSocketCloseStatus"/> and the description
/// <c>reset epoch=…</c>.</item>
/// </list>
/// A stream that is open when the feed restarts gets the same reset. A client that sees one starts again from
/// <c>after=0</c> with the new epoch; what it missed is a reset, counted apart from loss. Omitting
/// <c>epoch</c> skips the check (older clients, curl). Event bytes and the SSE <c>id:</c> never carry the epoch.
/// </summary>
public static class FeedReset
{
    public const string QueryParameter = "epoch";

    public const string SseEventType = "reset";

    /// <summary>In the private-use range 4000–4999 of RFC 6455; 4409 echoes HTTP 409 Conflict.</summary>
    public const int WebSocketCloseStatus = 4409;

    public const string WebSocketDescriptionPrefix = "reset epoch=";

    public const int HttpStatus = 409;
}
