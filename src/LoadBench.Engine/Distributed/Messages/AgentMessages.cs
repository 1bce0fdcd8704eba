namespace LoadBench.Engine.Distributed.Messages;

// The messages between a coordinator (`loadbench run --nats`) and its load agents (`loadbench agent`), on the
// subjects of Subjects. Records with source-generated JSON (DistributedJson): what crosses NATS is plain JSON a
// person can read with `nats sub 'loadbench.>'`.

/// <summary>An agent's announcement, every <see cref="Subjects.HeartbeatInterval"/>: who it is, what it can carry,
/// and which run it serves (null: idle, free to join).</summary>
internal sealed record AgentHeartbeat(string Name, int Cores, long OpenFileBudget, string? RunId);

/// <summary>The coordinator's heartbeat on its run's subject; agents stop their clients when it falls silent.</summary>
internal sealed record CoordinatorHeartbeat(string RunId);

/// <summary>Asks an idle agent to serve a run against <paramref name="TargetUrl"/> (the feed URL its clients use: a
/// proxy, behind one). <paramref name="ControlUrl"/> is the publisher's own address when it is not the feed URL: the
/// agent reads its clock and its <c>/feed/info</c> there, since a proxy does not pass the control routes on.
/// <paramref name="Endpoints"/>: the target's other endpoints and the certificate to trust, when a scenario of the run
/// speaks HTTP/2 or TLS (null: HTTP/1.1 only).</summary>
internal sealed record JoinRequest(string RunId, string TargetUrl, string? ControlUrl = null, EndpointsWire? Endpoints = null);

/// <summary>
/// The target's cleartext HTTP/2 and HTTPS endpoints, and the one certificate fingerprint TLS clients trust, as the
/// coordinator resolved them (<see cref="Running.ClientEndpoints"/>): from <c>GET /feed/endpoints</c>, the fingerprint
/// from the person (<c>--tls-fingerprint</c>) or from the target the coordinator started itself. Agents take the
/// coordinator's word rather than ask the target: the trust decision is made once, where the person gave it.
/// </summary>
internal sealed record EndpointsWire(string? H2c, string? Https, string? TlsFingerprint)
{
    public static EndpointsWire From(Running.ClientEndpoints endpoints) =>
        new(endpoints.H2c?.ToString(), endpoints.Https?.ToString(), endpoints.TlsFingerprint);

    /// <summary>The endpoints for an agent's clients; each address passes the same loopback check as the target's.</summary>
    public Running.ClientEndpoints ToEndpoints(Uri http1, bool allowNonLoopback) => new(
        http1,
        H2c is null ? null : Running.TargetAddress.Check(H2c, allowNonLoopback),
        Https is null ? null : Running.TargetAddress.Check(Https, allowNonLoopback),
        TlsFingerprint);
}

/// <summary>An agent's answer to any command: <paramref name="Error"/> says why it could not.</summary>
internal sealed record AgentAck(bool Ok, string? Error = null);

/// <summary>The answer to a join: the agent's clock against the publisher's (NTP-style estimate).</summary>
internal sealed record JoinReply(bool Ok, string? Error, long ClockOffsetMicros, long ClockUncertaintyMicros, int Cores, long OpenFileBudget);

/// <summary>Builds one agent's share of a scenario (clients created, the open model's pool made) without starting it.
/// <paramref name="StartEpoch"/> is the feed epoch the cursor belongs to, as the single-process executor gives its clients:
/// a client that meets another epoch counts a reset instead of mistaking the new feed's seqs for gaps.</summary>
internal sealed record PrepareRequest(string RunId, int ScenarioIndex, ScenarioWire Share, long StartCursor, string? StartEpoch = null);

/// <summary>Starts the prepared scenario's warm-up at one instant on the publisher's clock (Unix µs); its measured
/// phase follows at that instant + warm-up, on every agent alike.</summary>
internal sealed record StartRequest(string RunId, int ScenarioIndex, long StartAtUnixMicros);

/// <summary>One second of one agent's phase: its interval histogram and counters, for the coordinator's live view.</summary>
internal sealed record AgentTick(
    string Name, int ScenarioIndex, string Phase, int Second, double EventsPerSecond, int Clients, string Histogram);

/// <summary>The publisher paused after <paramref name="LastSeq"/>: wait (at most <paramref name="TimeoutMs"/>) for it.</summary>
internal sealed record DrainRequest(string RunId, int ScenarioIndex, long LastSeq, int TimeoutMs);

/// <summary>Events the agent's subscribers never received by the end of the drain.</summary>
internal sealed record DrainReply(bool Ok, string? Error, long Undelivered);

/// <summary>Stops the scenario's clients; the answer is everything the agent measured (<see cref="AgentReport"/>).</summary>
internal sealed record StopRequest(string RunId, int ScenarioIndex);

/// <summary>Leaves the run: the agent is idle again.</summary>
internal sealed record LeaveRequest(string RunId);
