namespace LoadBench.Contracts;

/// <summary>
/// How the target says "the events you asked for are no longer retained" — never a silent gap.
/// Poll and long-poll answer 410 Gone with problem+json whose <c>oldestSeq</c> extension names the oldest
/// retained seq. The streaming transports say it in-band, then end the stream:
/// <list type="bullet">
/// <item>SSE: one event with <c>event: gone</c> and <c>data: {"oldestSeq":N,"after":M}</c>.</item>
/// <item>WebSocket: a close frame with status <see cref="WebSocketCloseStatus"/> (4410) and the
/// description <c>gone oldestSeq=N</c>.</item>
/// </list>
/// A client that sees either knows events after its cursor were lost and may resume from <c>after=0</c>.
/// </summary>
public static class FeedGone
{
    public const string SseEventType = "gone";

    /// <summary>In the private-use range 4000–4999 of RFC 6455; 4410 echoes HTTP 410 Gone.</summary>
    public const int WebSocketCloseStatus = 4410;

    public const string WebSocketDescriptionPrefix = "gone oldestSeq=";
}
