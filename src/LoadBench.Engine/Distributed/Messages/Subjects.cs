namespace LoadBench.Engine.Distributed.Messages;

/// <summary>
/// The NATS subjects of the agent protocol, all under <c>loadbench.</c>. Agents announce themselves on one subject;
/// commands go to one agent by request/reply (<c>loadbench.agent.NAME.COMMAND</c>); a run's coordinator heartbeat and
/// the agents' per-second ticks go on subjects named after the run. Heartbeats travel on each process's liveness line
/// (its own thread and NATS connection), everything else on NATS.Net.
/// </summary>
internal static class Subjects
{
    public const string AgentHeartbeats = "loadbench.agents.heartbeat";

    /// <summary>How often agents and coordinators say they are alive.</summary>
    public static readonly TimeSpan HeartbeatInterval = TimeSpan.FromMilliseconds(500);

    /// <summary>Silence after which the coordinator asks whether an agent's connection still exists (Liveness/LivenessLine.cs):
    /// a dead agent's is gone, so it is noticed within about 2.6 s of its last beat (the issue asks for 3 s); a live but
    /// paused one still holds it and is given up only after <see cref="HungAfter"/>.</summary>
    public static readonly TimeSpan AgentLostAfter = TimeSpan.FromSeconds(2.5);

    /// <summary>Silence after which an agent asks whether its coordinator's connection still exists, and stops its clients
    /// when it is gone: a dead coordinator leaves no load behind for more than about 3.5 s (the issue asks for 5 s).</summary>
    public static readonly TimeSpan CoordinatorLostAfter = TimeSpan.FromSeconds(3);

    /// <summary>Silence after which a peer whose connection still exists (a probe found its presence subscription) is
    /// given up all the same: a process paused this long (SIGSTOP, a debugger, a runaway pause) is no better than dead.
    /// A dead one is given up after <see cref="AgentLostAfter"/> or <see cref="CoordinatorLostAfter"/>.</summary>
    public static readonly TimeSpan HungAfter = TimeSpan.FromSeconds(15);

    /// <summary>An agent's presence subscription, on its liveness line: probed when the agent is silent.</summary>
    public static string AgentPresence(string agent) => $"loadbench.alive.agent.{agent}";

    /// <summary>A coordinator's presence subscription for its run, on its liveness line.</summary>
    public static string CoordinatorPresence(string runId) => $"loadbench.alive.run.{runId}";

    public const string Join = "join";
    public const string Prepare = "prepare";
    public const string Start = "start";
    public const string Drain = "drain";
    public const string Stop = "stop";
    public const string Leave = "leave";

    public static string AgentCommand(string agent, string command) => $"loadbench.agent.{agent}.{command}";

    public static string AgentCommands(string agent) => $"loadbench.agent.{agent}.*";

    public static string CoordinatorHeartbeat(string runId) => $"loadbench.run.{runId}.coordinator";

    public static string Ticks(string runId) => $"loadbench.run.{runId}.tick";
}
