namespace LoadBench.Contracts;

/// <summary>The target's routes: a contract other clients and tools rely on (see src/LoadBench.Target/README.md).</summary>
public static class FeedRoutes
{
    public const string Poll = "/feed/poll";
    public const string LongPoll = "/feed/long-poll";
    public const string Sse = "/feed/sse";
    public const string WebSocket = "/feed/ws";
    public const string Info = "/feed/info";
    public const string Settings = "/feed/settings";
    public const string DropConnections = "/feed/drop-connections";
    public const string Faults = "/feed/faults";
    public const string Stats = "/stats";

    /// <summary>Where each protocol is served and the HTTPS certificate's fingerprint (<see cref="TargetEndpoints"/>).</summary>
    public const string Endpoints = "/feed/endpoints";

    /// <summary>The publisher's clock (<see cref="FeedClock"/>): what load agents on other machines compare their own
    /// clocks with, so publish → receive latency is measured on one time line.</summary>
    public const string Clock = "/feed/clock";

    /// <summary>Default and largest <c>max</c> of a poll.</summary>
    public const int DefaultPollMax = 1000;
    public const int MaxPollMax = 10_000;

    /// <summary>Default and largest long-poll <c>timeout</c> in milliseconds.</summary>
    public const int DefaultLongPollTimeoutMs = 30_000;
    public const int MaxLongPollTimeoutMs = 120_000;

    /// <summary>Query parameter of <see cref="Sse"/> and <see cref="WebSocket"/>: the heartbeat interval in
    /// milliseconds (SSE comment lines, WebSocket pings). Absent: no heartbeat at all.</summary>
    public const string HeartbeatQuery = "heartbeatMs";

    /// <summary>Shortest and longest heartbeat interval, in milliseconds.</summary>
    public const int MinHeartbeatMs = 10;
    public const int MaxHeartbeatMs = 600_000;

    /// <summary>The SSE heartbeat: an empty comment line and the blank line that ends it (3 bytes), which
    /// EventSource and SseParser skip.</summary>
    public const string SseHeartbeat = ":\n\n";
}
