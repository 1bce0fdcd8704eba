namespace LoadBench.Contracts;

/// <summary>
/// How the target says "you fell too far behind the feed and were disconnected" to an SSE or WebSocket
/// subscriber (polling clients hold nothing on the server, so they cannot fall behind this way). The limits
/// are the target's options; the client may resume from its cursor.
/// <list type="bullet">
/// <item>SSE: one event with <c>event: too-slow</c> and <c>data: {"after":M,"latestSeq":N}</c>, then the
/// stream ends;</item>
/// <item>WebSocket: a close frame with status <see cref="WebSocketCloseStatus"/> and the description
/// <c>too slow after=M</c>.</item>
/// </list>
/// </summary>
public static class FeedTooSlow
{
    public const string SseEventType = "too-slow";

    /// <summary>In the private-use range 4000–4999 of RFC 6455; 4408 echoes HTTP 408 Request Timeout.</summary>
    public const int WebSocketCloseStatus = 4408;

    public const string WebSocketDescriptionPrefix = "too slow after=";
}
