namespace LoadBench.Contracts;

/// <summary>The stable ids of the four transports: keys in <c>/stats</c>, in scenario files and in metric names
/// (<c>sse/latency/p99</c>).</summary>
public static class TransportIds
{
    public const string Polling = "poll";
    public const string LongPolling = "longpoll";
    public const string Sse = "sse";
    public const string WebSocket = "ws";

    /// <summary>Requests that are not a feed transport: info, settings, stats, the demo page.</summary>
    public const string Other = "other";

    /// <summary>The four transports in the order every table and chart shows them.</summary>
    public static IReadOnlyList<string> All { get; } = [Polling, LongPolling, Sse, WebSocket];

    /// <summary>A name for people: "Short polling", "Server-Sent Events", …</summary>
    public static string DisplayName(string id) => id switch
    {
        Polling => "Short polling",
        LongPolling => "Long polling",
        Sse => "Server-Sent Events",
        WebSocket => "WebSocket",
        _ => id,
    };
}
