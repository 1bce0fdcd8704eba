using System.Text.Json;
using LoadBench.Engine.Distributed.Liveness;
using LoadBench.Engine.Distributed.Messages;

namespace LoadBench.Engine.Distributed.Coordinator;

/// <summary>One agent of the run as the coordinator knows it.</summary>
internal sealed class RosterAgent(string name, int cores, long openFileBudget, long lastSeen)
{
    public string Name { get; } = name;
    public int Cores { get; set; } = cores;
    public long OpenFileBudget { get; set; } = openFileBudget;
    public long LastSeen { get; set; } = lastSeen;

    /// <summary>When the coordinator last asked whether the silent agent's connection still exists.</summary>
    public long LastProbe { get; set; }

    private int _probes;

    /// <summary>How often the agent fell silent long enough to be asked about (shown live: a paused agent, not a lost one).</summary>
    public int Probes => Volatile.Read(ref _probes);

    public void CountProbe() => Interlocked.Increment(ref _probes);
    public long ClockOffsetMicros { get; set; }
    public long ClockUncertaintyMicros { get; set; }

    /// <summary>When the coordinator noticed the agent was gone; null while it lives.</summary>
    public DateTimeOffset? LostAt { get; set; }

    public bool IsLost => LostAt is not null;
}

/// <summary>
/// The agents the coordinator knows from their heartbeats: waits (bounded) for enough idle ones, then watches the
/// chosen ones and marks an agent lost after <see cref="Subjects.AgentLostAfter"/> of silence, or when it fails
/// to answer a command. The beats are read and judged on the <see cref="LivenessLine"/>'s own thread: a coordinator
/// whose thread pool is busy still hears its agents in time.
/// </summary>
internal sealed class AgentRoster : IDisposable
{
    private readonly IDisposable _beats;
    private readonly IDisposable _judge;
    private readonly TimeProvider _time;
    private readonly Dictionary<string, RosterAgent> _seen = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string?> _runOf = new(StringComparer.Ordinal);
    private readonly object _lock = new();
    private IReadOnlyList<RosterAgent> _chosen = [];

    private readonly LivenessLine _liveness;

    private AgentRoster(LivenessLine liveness, TimeProvider time)
    {
        _liveness = liveness;
        _time = time;
        _beats = liveness.Subscribe(Subjects.AgentHeartbeats, OnBeat);
        _judge = liveness.OnRound(Judge);
    }

    /// <summary>Raised (on the liveness thread, or a command's) once per agent lost.</summary>
    public event Action<RosterAgent>? Lost;

    public IReadOnlyList<RosterAgent> Chosen => _chosen;

    public IReadOnlyList<RosterAgent> Live
    {
        get
        {
            lock (_lock)
            {
                return [.. _chosen.Where(a => !a.IsLost)];
            }
        }
    }

    public static AgentRoster Subscribe(LivenessLine liveness, TimeProvider time) => new(liveness, time);

    /// <summary>Waits for <paramref name="count"/> idle agents, at most <paramref name="wait"/>, and chooses the first by name.</summary>
    public async Task<IReadOnlyList<RosterAgent>> WaitForAsync(int count, TimeSpan wait, string natsUrl, CancellationToken cancellationToken)
    {
        var start = _time.GetTimestamp();
        while (true)
        {
            var idle = Idle();
            if (idle.Count >= count)
            {
                lock (_lock)
                {
                    _chosen = [.. idle.Take(count)];
                    foreach (var agent in _chosen)
                    {
                        agent.LastSeen = _time.GetTimestamp();
                    }
                }

                return _chosen;
            }

            if (_time.GetElapsedTime(start) >= wait)
            {
                var names = idle.Count == 0 ? "none" : string.Join(", ", idle.Select(a => a.Name));
                throw new DistributedRunException(
                    $"Waited {wait.TotalSeconds:0} s for {count} idle load agent(s) on {natsUrl}; {idle.Count} answered ({names}). " +
                    $"Start more with `loadbench agent --nats {natsUrl}`, or ask for fewer with --agents.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), _time, cancellationToken);
        }
    }

    /// <summary>Marks an agent lost now (it failed to answer); idempotent.</summary>
    public void MarkLost(RosterAgent agent)
    {
        lock (_lock)
        {
            if (agent.IsLost)
            {
                return;
            }

            agent.LostAt = _time.GetUtcNow();
        }

        Lost?.Invoke(agent);
    }

    private List<RosterAgent> Idle()
    {
        lock (_lock)
        {
            var recent = TimeSpan.FromSeconds(2);
            return [.. _seen.Values
                .Where(a => _runOf.GetValueOrDefault(a.Name) is null && _time.GetElapsedTime(a.LastSeen) < recent)
                .OrderBy(a => a.Name, StringComparer.Ordinal)];
        }
    }

    private void OnBeat(byte[] payload)
    {
        AgentHeartbeat? beat;
        try
        {
            beat = JsonSerializer.Deserialize(payload, DistributedJson.Default.AgentHeartbeat);
        }
        catch (JsonException)
        {
            // A stranger's message on our subject is ignored, not fatal.
            return;
        }

        if (beat is null)
        {
            return;
        }

        lock (_lock)
        {
            if (!_seen.TryGetValue(beat.Name, out var agent))
            {
                agent = new RosterAgent(beat.Name, beat.Cores, beat.OpenFileBudget, _time.GetTimestamp());
                _seen[beat.Name] = agent;
            }

            agent.LastSeen = _time.GetTimestamp();
            if (!_chosen.Contains(agent))
            {
                agent.Cores = beat.Cores;
                agent.OpenFileBudget = beat.OpenFileBudget;
            }

            _runOf[beat.Name] = beat.RunId;
        }
    }

    /// <summary>Each round of the liveness thread, after it read every beat that arrived. An agent silent for longer
    /// than <see cref="Subjects.AgentLostAfter"/> is probed (<see cref="LivenessLine.Probe"/>): lost at once when its
    /// connection is gone (it died), only after <see cref="Subjects.HungAfter"/> when it still holds it (paused: on an
    /// overloaded machine a garbage collection stood agents still for seconds). Without a connection of our own we can
    /// ask nobody, and silence alone decides (NATS itself died: every agent is lost, the run fails). Nothing is judged
    /// right after this process itself stood still (<paramref name="judging"/> false).</summary>
    private void Judge(bool judging)
    {
        if (!judging)
        {
            return;
        }

        foreach (var agent in Live)
        {
            var silence = _time.GetElapsedTime(agent.LastSeen);
            if (silence <= Subjects.AgentLostAfter)
            {
                continue;
            }

            if (!_liveness.IsConnected || silence > Subjects.HungAfter)
            {
                MarkLost(agent);
            }
            else if (_time.GetElapsedTime(agent.LastProbe) >= Subjects.HeartbeatInterval)
            {
                agent.LastProbe = _time.GetTimestamp();
                agent.CountProbe();
                _liveness.Probe(Subjects.AgentPresence(agent.Name), () => MarkLost(agent));
            }
        }
    }

    public void Dispose()
    {
        _judge.Dispose();
        _beats.Dispose();
    }
}
