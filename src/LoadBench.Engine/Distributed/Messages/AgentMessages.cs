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
/// agent reads its clock and its <c>/feed/info</c> there, since a proxy does not pass the control routes on.</summary>
internal sealed record JoinRequest(string RunId, string TargetUrl, string? ControlUrl = null);

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
