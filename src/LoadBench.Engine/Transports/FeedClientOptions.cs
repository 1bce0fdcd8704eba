using LoadBench.Contracts;
using LoadBench.Engine.Metrics;
using LoadBench.Engine.Transports.Connections;

namespace LoadBench.Engine.Transports;

/// <summary>What <see cref="FeedClientFactory.Create"/> needs to make one client.</summary>
/// <param name="BaseUri">The target, e.g. <c>http://127.0.0.1:5000/</c>. Loopback only, unless <see cref="Connections"/> allows others.</param>
/// <param name="Transport">One of <see cref="TransportIds"/>: <c>poll</c>, <c>longpoll</c>, <c>sse</c>, <c>ws</c>.</param>
/// <param name="Recorders">The scenario's latency recorders (publish → receive into <c>Event</c>; polls into <c>Request</c>).</param>
internal sealed record FeedClientOptions(Uri BaseUri, string Transport, LatencyRecorders Recorders)
{
    /// <summary>The seq the client starts after (the runner passes <c>/feed/info</c>'s latestSeq so every client
    /// starts at the same place); <c>0</c> means from the oldest retained event.</summary>
    public long StartAfter { get; init; }

    /// <summary>The feed epoch <see cref="StartAfter"/> belongs to (<c>/feed/info</c>'s <c>epoch</c>, read by the
    /// runner with the cursor); sent beside the cursor so a restarted feed answers with a reset. Null: no check.</summary>
    public string? Epoch { get; init; }

    /// <summary>Short polling: pause after each response before the next poll; zero polls back to back.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.Zero;

    /// <summary>Long polling: how long the target holds a request open before answering 204.</summary>
    public TimeSpan LongPollTimeout { get; init; } = TimeSpan.FromMilliseconds(FeedRoutes.DefaultLongPollTimeoutMs);

    /// <summary>Polling and long polling: the most events one response may carry.</summary>
    public int PollMax { get; init; } = FeedRoutes.DefaultPollMax;

    /// <summary>The client's one clock: it stamps receive times, times requests (from the intended start, see
    /// <see cref="IRequestDrivenClient.SendOneAsync"/>), paces poll intervals and back-off, and bounds requests.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>HTTP version, TLS, compression, heartbeat and streams per connection (the scenario's
    /// <see cref="Scenarios.ConnectionSetup"/>); <c>via</c> is the runner's business, not the client's.</summary>
    public Scenarios.ConnectionSetup Setup { get; init; } = Scenarios.ConnectionSetup.Default;

    /// <summary>Under TLS, the SHA-256 fingerprint of the one certificate the client trusts (the target's, from its
    /// <c>/feed/endpoints</c> or <c>--tls-fingerprint</c>); required when <see cref="Setup"/> asks for TLS.</summary>
    public string? TlsFingerprint { get; init; }

    /// <summary>The HTTP/2 connection this client shares with others (<c>streamsPerConnection</c> &gt; 1); null: its own.</summary>
    public SharedConnection? SharedConnection { get; init; }

    /// <summary>How the client backs off before reconnecting (the scenario's <c>reconnect</c> block).</summary>
    public ReconnectPolicy Reconnect { get; init; } = ReconnectPolicy.Default;

    /// <summary>Whether the raw SSE and WebSocket streams run on the engine's event loop (<c>LoopStream</c>); null lets
    /// the environment decide (on unless <c>LOADBENCH_STREAM_LOOP=0</c>). Tests set it to run both paths side by side.</summary>
    public bool? StreamLoop { get; init; }

    /// <summary>Whether a non-loopback target is allowed (only from an explicit flag) and the source addresses to
    /// spread connections over (<see cref="ConnectionPolicy"/>).</summary>
    public ConnectionPolicy Connections { get; init; } = ConnectionPolicy.LoopbackOnly;

    /// <summary>The back-off's source of jitter: a number in [0, 1) per call. Tests pass a fixed one.</summary>
#pragma warning disable CA5394 // jitter, not security
    public Func<double> Randomizer { get; init; } = Random.Shared.NextDouble;
#pragma warning restore CA5394
}
