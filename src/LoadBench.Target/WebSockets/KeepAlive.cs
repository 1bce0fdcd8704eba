namespace LoadBench.Target.WebSockets;

/// <summary>
/// WebSocket keep-alive as a scenario's <c>heartbeat</c> asks: none unless the client asked for one. ASP.NET Core's
/// middleware would otherwise send an unsolicited pong every 2 minutes (its default <c>KeepAliveInterval</c>),
/// frames no scenario asked for that would land in an idle connection's bytes.
/// </summary>
internal static class KeepAlive
{
    /// <summary>The middleware's defaults: no keep-alive frames at all.</summary>
    public static WebSocketOptions MiddlewareOptions { get; } = new() { KeepAliveInterval = TimeSpan.Zero };

    /// <summary>How long a ping may go unanswered before the runtime aborts the socket. Generous on purpose: a
    /// heartbeat here measures what keeping a connection alive costs, not how fast a busy load generator answers,
    /// and a 2-core machine with thousands of subscribers can be slow to pong.</summary>
    public static TimeSpan PongTimeout(TimeSpan interval) => interval * 2 > TimeSpan.FromSeconds(30) ? interval * 2 : TimeSpan.FromSeconds(30);

    /// <summary>Without a heartbeat: the middleware's (none). With one: a ping every <paramref name="heartbeat"/>,
    /// which the client answers with a pong (a timeout makes the runtime ping rather than send unsolicited pongs).</summary>
    public static WebSocketAcceptContext AcceptContext(TimeSpan? heartbeat) => heartbeat is { } interval
        ? new WebSocketAcceptContext { KeepAliveInterval = interval, KeepAliveTimeout = PongTimeout(interval) }
        : new WebSocketAcceptContext();
}
