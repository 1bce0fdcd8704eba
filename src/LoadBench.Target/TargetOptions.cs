using LoadBench.Target.Hosting;

namespace LoadBench.Target;

/// <summary>How the target starts. Command line: <c>--rate</c>, <c>--payload-bytes</c>, <c>--retention</c>,
/// <c>--delivery-delay-ms</c>, <c>--max-connections</c>, <c>--control-token</c>, <c>--slow-consumer-max-lag-events</c>,
/// <c>--slow-consumer-max-lag-seconds</c>, <c>--urls</c>, <c>--publish-to</c>, <c>--follow</c>.</summary>
public sealed class TargetOptions
{
    /// <summary>Where the target listens when <c>--urls</c> is not given: loopback only, never all interfaces.</summary>
    public const string DefaultUrl = "http://127.0.0.1:5080";

    /// <summary>Events published per second at start; 0 means paused.</summary>
    public double RatePerSecond { get; set; } = 10;

    /// <summary>Size of each event's <c>data</c> string, in bytes.</summary>
    public int PayloadBytes { get; set; } = 64;

    /// <summary>How many events the feed keeps; a cursor older than that is told it is gone (410).</summary>
    public int Retention { get; set; } = 100_000;

    /// <summary>Artificial latency added to every delivery (demonstrations, gate tests).</summary>
    public int DeliveryDelayMs { get; set; }

    /// <summary>
    /// Most connections served at once; null = derived from the process's open-file limit with room left for
    /// everything else the process opens. Past it, a new connection gets a 503 and is closed, and the ones
    /// already open keep being served — instead of the accept loop failing at the file limit.
    /// </summary>
    public int? MaxConnections { get; set; }

    /// <summary><c>--compression on</c>: answer a client that asks for it with permessage-deflate (WebSocket), gzip or
    /// br (poll answers, the SSE stream). Off by default: every browser asks, and the target's own byte counters
    /// count event bytes as payload.</summary>
    public bool Compression { get; set; }

    /// <summary>
    /// An SSE or WebSocket subscriber more than this many events behind the latest is disconnected as too slow
    /// (<see cref="LoadBench.Contracts.FeedTooSlow"/>); 0 = no bound on events. The default is half the default
    /// retention: far beyond any healthy subscriber at the scenarios' rates (at most a few thousand events/s),
    /// and reached before "gone", so a slow subscriber can still resume without loss.
    /// </summary>
    public int SlowConsumerMaxLagEvents { get; set; } = 50_000;

    /// <summary>
    /// An SSE or WebSocket subscriber whose oldest undelivered event was published more than this many seconds
    /// before the latest one (the delivery delay not counted) is disconnected as too slow; 0 = no bound on time.
    /// 30 s is a hundred times the scenarios' latency SLO (p99 ≤ 250 ms).
    /// </summary>
    public double SlowConsumerMaxLagSeconds { get; set; } = 30;

    /// <summary>
    /// <c>--h2c-url http://127.0.0.1:PORT</c>: also serve cleartext HTTP/2 (prior knowledge) there. Kestrel serves
    /// h2c only on an HTTP/2-only endpoint, hence one endpoint per protocol. Port 0 picks a free one.
    /// </summary>
    public string? H2cUrl { get; set; }

    /// <summary>
    /// <c>--https-url https://127.0.0.1:PORT</c>: also serve HTTPS there (HTTP/1.1 and HTTP/2 by ALPN), with a
    /// self-signed certificate generated at start, whose SHA-256 is printed and published on <c>/feed/endpoints</c>.
    /// </summary>
    public string? HttpsUrl { get; set; }

    /// <summary>How long graceful shutdown waits for streams to end.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// When set, the control routes (settings, faults, drop-connections, <c>/stats?gc=true</c>) need
    /// <c>Authorization: Bearer</c> this token; without one the target refuses to listen beyond loopback.
    /// </summary>
    public string? ControlToken { get; set; }

    /// <summary>What one client may send before it is refused (README, "Safe defaults"); tests shorten the timeouts.</summary>
    public SafeLimits Limits { get; set; } = new();

    /// <summary>
    /// <c>--publish-to nats://…</c>: this target is the publisher of a scaled-out feed and also sends every event
    /// to the JetStream stream there (see <c>Replication/FeedStream</c>), for replicas to serve.
    /// </summary>
    public Uri? PublishToUrl { get; set; }

    /// <summary>
    /// <c>--follow nats://…</c>: this target is a replica. It publishes nothing itself: it serves the publisher's
    /// events from the stream there, with the same seq, ts and bytes, and reports the publisher's settings.
    /// </summary>
    public Uri? FollowUrl { get; set; }
}
