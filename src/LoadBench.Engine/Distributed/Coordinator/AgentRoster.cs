using LoadBench.Engine.Distributed.Messages;
using NATS.Client.Core;

namespace LoadBench.Engine.Distributed.Coordinator;

/// <summary>One agent of the run as the coordinator knows it.</summary>
internal sealed class RosterAgent(string name, int cores, long openFileBudget, long lastSeen)
{
    public string Name { get; } = name;
    public int Cores { get; set; } = cores;
    public long OpenFileBudget { get; set; } = openFileBudget;
    public long LastSeen { get; set; } = lastSeen;
    public long ClockOffsetMicros { get; set; }
    public long ClockUncertaintyMicros { get; set; }

    /// <summary>When the coordinator noticed the agent was gone; null while it lives.</summary>
    public DateTimeOffset? LostAt { get; set; }

    public bool IsLost => LostAt is not null;
}

/// <summary>
/// The agents the coordinator knows from their heartbeats: waits (bounded) for enough idle ones, then watches the
/// chosen ones and marks an agent lost after <see cref="Subjects.AgentLostAfter"/> of silence, or when it fails
/// to answer a command.
/// </summary>
internal sealed class AgentRoster : IAsyncDisposable
{
    private readonly INatsSub<byte[]> _beats;
    private readonly TimeProvider _time;
    private readonly Dictionary<string, RosterAgent> _seen = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string?> _runOf = new(StringComparer.Ordinal);
    private readonly object _lock = new();
    private readonly CancellationTokenSource _stop = new();
    private IReadOnlyList<RosterAgent> _chosen = [];
    private Task _watch = Task.CompletedTask;

    private AgentRoster(INatsSub<byte[]> beats, TimeProvider time)
    {
        _beats = beats;
        _time = time;
    }

    /// <summary>Raised (on the watch loop) once per agent lost.</summary>
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

    public static async Task<AgentRoster> SubscribeAsync(NatsChannel channel, TimeProvider time, CancellationToken cancellationToken) =>
        new(await channel.SubscribeAsync(Subjects.AgentHeartbeats, cancellationToken), time);

    /// <summary>Waits for <paramref name="count"/> idle agents, at most <paramref name="wait"/>, and chooses the first by name.</summary>
    public async Task<IReadOnlyList<RosterAgent>> WaitForAsync(int count, TimeSpan wait, string natsUrl, CancellationToken cancellationToken)
    {
        var start = _time.GetTimestamp();
        while (true)
        {
            ReadBeats();
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

                _watch = WatchAsync(_stop.Token);
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

    private void ReadBeats()
    {
        while (_beats.Msgs.TryRead(out var message))
        {
            if (NatsChannel.Read(message, DistributedJson.Default.AgentHeartbeat) is not { } beat)
            {
                continue;
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
    }

    /// <summary>A watch round this late (they run every 250 ms) means this process itself stood still.</summary>
    private static readonly TimeSpan OwnStall = TimeSpan.FromSeconds(1);

    private async Task WatchAsync(CancellationToken cancellationToken)
    {
        var lastRound = _time.GetTimestamp();
        long? stalledAt = null;
        while (!cancellationToken.IsCancellationRequested)
        {
            if (_time.GetElapsedTime(lastRound) > OwnStall)
            {
                // The coordinator stood still (on an overloaded machine every process does at times; the scale-out
                // benchmark saw agents on two NATS servers "lost" at one instant): the beats of that time may still
                // sit unread in the NATS client, and silence measured across our own stall is not the agent's. Judge
                // again after one more second of running, which every live agent's beat (every 0.5 s) fills.
                stalledAt = _time.GetTimestamp();
            }

            lastRound = _time.GetTimestamp();
            ReadBeats();
            var judging = stalledAt is not { } stall || _time.GetElapsedTime(stall) > OwnStall;
            foreach (var agent in judging ? Live : [])
            {
                if (_time.GetElapsedTime(agent.LastSeen) > Subjects.AgentLostAfter)
                {
                    MarkLost(agent);
                }
            }

            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250), _time, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _watch;
        await _beats.DisposeAsync();
        _stop.Dispose();
    }
}
