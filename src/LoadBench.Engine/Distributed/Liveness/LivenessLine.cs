using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace LoadBench.Engine.Distributed.Liveness;

/// <summary>
/// The liveness channel of a distributed run — heartbeats out, heartbeats in, and the judging of silence — on one
/// dedicated OS thread with a NATS connection of its own, so that no amount of work queued on the .NET thread pool
/// can delay it.
/// </summary>
/// <remarks>
/// Why not NATS.Net, which carries everything else: its read and write loops are async and run on the thread pool.
/// An agent under load has thousands of client continuations queued there; the scale-out benchmark (45,000
/// subscribers on 2 cores) saw heartbeats sent and read seconds late, and live agents taken for lost (and agents that
/// took a live coordinator for dead). A thread of our own still competes for the CPU, but as one runnable thread among
/// the machine's, which the kernel schedules within milliseconds, never behind the pool's queue. So this class speaks
/// the NATS client protocol's few text commands itself (CONNECT, SUB, UNSUB, PUB, MSG, PING/PONG; see
/// <see cref="NatsWire"/>) with blocking socket calls on its own thread: nats-server is still the broker, and the
/// subjects and JSON are the ones <c>nats sub 'loadbench.>'</c> shows. Each round (every <see cref="Round"/>) it
/// reconnects if needed, sends what is due, reads all that arrived, and then calls the round handlers, which judge
/// silence: on this thread too, so a beat already read is always seen by the judge.
/// <para>Even this thread stands still while the runtime suspends the process for a garbage collection, and on an
/// overloaded machine (the scale-out benchmark at load 30–60) such pauses reached seconds: silence alone cannot
/// tell a dead peer from a paused one. What cannot be paused is the kernel: when a process dies, however it dies,
/// its sockets close and nats-server drops its subscriptions at once. So each side keeps a presence subscription
/// (<see cref="Subscribe"/> on a subject of its own), and a judge that finds a peer silent asks with
/// <see cref="Probe"/>, a request to that subject: "no responders" (503, from the server itself, within a round
/// trip) means the peer's connection is gone — dead; no such answer means the process still holds its connection —
/// paused, given up only after a much longer silence (hung).</para>
/// <para>Handlers run on this thread and must be quick and never block; anything slow (stopping clients) they
/// hand to the thread pool.</para>
/// </remarks>
internal sealed class LivenessLine : IDisposable
{
    /// <summary>How often the thread wakes when nothing arrives: the resolution of every silence judged here.</summary>
    public static readonly TimeSpan Round = TimeSpan.FromMilliseconds(100);

    /// <summary>A round this late means this process itself stood still (a GC pause, or the whole machine
    /// overloaded): silence measured across it is not the peer's, so judging waits that long again.</summary>
    public static readonly TimeSpan OwnStall = TimeSpan.FromSeconds(1);

    private static readonly TimeSpan ReconnectEvery = TimeSpan.FromMilliseconds(500);

    private readonly NatsWire.Endpoint _endpoint;
    private readonly string _name;
    private readonly TimeProvider _time;
    private readonly object _lock = new();
    private readonly Dictionary<int, (string Subject, Action<NatsWire.Message> OnMessage)> _subscriptions = [];
    private readonly Dictionary<long, (Action Gone, long Asked)> _probes = [];
    private readonly List<(string Subject, long Id)> _unsentProbes = [];
    private readonly string _inbox = $"_INBOX.liveness.{Guid.NewGuid():N}";
    private long _nextProbe;
    private readonly HashSet<int> _unsent = [];
    private readonly List<int> _dropped = [];
    private readonly List<Action<bool>> _rounds = [];
    private readonly Thread _thread;
    private (string Subject, Func<byte[]> Payload, TimeSpan Every)[] _beats = [];
    private volatile bool _stopping;
    private int _nextSid;
    private NatsWire? _wire;
    private long _lastConnectAttempt;

    private LivenessLine(NatsWire.Endpoint endpoint, string name, TimeProvider time)
    {
        _endpoint = endpoint;
        _name = name;
        _time = time;
        _thread = new Thread(Run) { IsBackground = true, Name = $"liveness {name}" };
        SubscribeRaw(_inbox + ".*", OnProbeAnswer);
    }

    /// <summary>Whether the line holds a connection to nats-server now (read by round handlers, on this thread).</summary>
    public bool IsConnected => _wire is not null;

    /// <summary>True once the line has been connected to nats-server at least once.</summary>
    public bool EverConnected { get; private set; }

    /// <summary>Starts the thread; it connects (and reconnects, every half second while the server is away) by itself.</summary>
    /// <exception cref="DistributedRunException">The URL is not a NATS address this line can reach.</exception>
    public static LivenessLine Start(string natsUrl, string name, TimeProvider time)
    {
        var line = new LivenessLine(NatsWire.Endpoint.Parse(natsUrl), name, time);
        line._lastConnectAttempt = time.GetTimestamp() - (long)(ReconnectEvery.TotalSeconds * time.TimestampFrequency);
        line._thread.Start();
        return line;
    }

    /// <summary>Publishes <paramref name="payload"/>() on <paramref name="subject"/> every <paramref name="every"/>,
    /// from this line's thread, until the returned handle is disposed. The payload function runs on that thread.</summary>
    public IDisposable Beat(string subject, Func<byte[]> payload, TimeSpan every)
    {
        var beat = (subject, payload, every);
        lock (_lock)
        {
            _beats = [.. _beats, beat];
        }

        return new Undo(() =>
        {
            lock (_lock)
            {
                _beats = [.. _beats.Where(b => b != beat)];
            }
        });
    }

    /// <summary>Calls <paramref name="onMessage"/> (on this line's thread) with every message's payload on
    /// <paramref name="subject"/>, from the next round on, until the returned handle is disposed.</summary>
    public IDisposable Subscribe(string subject, Action<byte[]> onMessage) => SubscribeRaw(subject, message => onMessage(message.Payload));

    /// <summary>Asks nats-server whether anyone subscribes to <paramref name="subject"/> (someone's presence
    /// subscription): <paramref name="gone"/> is called, on this line's thread, when the server answers that nobody
    /// does. Nothing is called when someone does (a paused process still holds its subscriptions).</summary>
    public void Probe(string subject, Action gone)
    {
        lock (_lock)
        {
            var id = ++_nextProbe;
            _probes[id] = (gone, _time.GetTimestamp());
            _unsentProbes.Add((subject, id));
        }
    }

    private Undo SubscribeRaw(string subject, Action<NatsWire.Message> onMessage)
    {
        int sid;
        lock (_lock)
        {
            sid = ++_nextSid;
            _subscriptions[sid] = (subject, onMessage);
            _unsent.Add(sid);
        }

        return new Undo(() =>
        {
            lock (_lock)
            {
                if (_subscriptions.Remove(sid) && !_unsent.Remove(sid))
                {
                    _dropped.Add(sid);
                }
            }
        });
    }

    /// <summary>Calls <paramref name="judge"/> after every round's reading, on this line's thread, with whether silence
    /// may be judged now (false for <see cref="OwnStall"/> after this process stood still).</summary>
    public IDisposable OnRound(Action<bool> judge)
    {
        lock (_lock)
        {
            _rounds.Add(judge);
        }

        return new Undo(() =>
        {
            lock (_lock)
            {
                _rounds.Remove(judge);
            }
        });
    }

    public void Dispose()
    {
        _stopping = true;
        // Bounded: a round lasts about 100 ms, a connection attempt at most a second.
        _thread.Join(TimeSpan.FromSeconds(5));
        _wire?.Dispose();
    }

    private void Run()
    {
        var lastRound = _time.GetTimestamp();
        long? stalledAt = null;
        var lastSent = new Dictionary<string, long>(StringComparer.Ordinal);
        while (!_stopping)
        {
            if (_time.GetElapsedTime(lastRound) > OwnStall)
            {
                stalledAt = _time.GetTimestamp();
            }

            lastRound = _time.GetTimestamp();
            var wire = Connected();
            if (wire is not null)
            {
                try
                {
                    SendDue(wire, lastSent);
                    wire.ReadFor(Round, Deliver);
                }
                catch (Exception e) when (e is SocketException or IOException or ObjectDisposedException or FormatException)
                {
                    // The server went away or spoke nonsense: reconnect on a later round. Judging goes on meanwhile, so
                    // a coordinator without NATS hears no beats and gives its agents up, as it should.
                    Drop();
                }
            }
            else
            {
                Thread.Sleep(Round);
            }

            var judging = stalledAt is not { } stall || _time.GetElapsedTime(stall) > OwnStall;
            Action<bool>[] rounds;
            lock (_lock)
            {
                rounds = [.. _rounds];
            }

            foreach (var judge in rounds)
            {
                judge(judging);
            }
        }
    }

    private NatsWire? Connected()
    {
        if (_wire is null && _time.GetElapsedTime(_lastConnectAttempt) >= ReconnectEvery)
        {
            _lastConnectAttempt = _time.GetTimestamp();
            try
            {
                _wire = NatsWire.Connect(_endpoint, _name, TimeSpan.FromSeconds(1));
                EverConnected = true;
                lock (_lock)
                {
                    // A new connection knows no subscription: send them all again.
                    _unsent.UnionWith(_subscriptions.Keys);
                    _dropped.Clear();
                }
            }
            catch (Exception e) when (e is SocketException or IOException or FormatException or TimeoutException)
            {
                _wire = null;
            }
        }

        return _wire;
    }

    private void SendDue(NatsWire wire, Dictionary<string, long> lastSent)
    {
        var commands = new StringBuilder();
        (string Subject, Func<byte[]> Payload, TimeSpan Every)[] beats;
        lock (_lock)
        {
            foreach (var sid in _unsent)
            {
                commands.Append("SUB ").Append(_subscriptions[sid].Subject).Append(' ').Append(sid).Append("\r\n");
            }

            foreach (var sid in _dropped)
            {
                commands.Append("UNSUB ").Append(sid).Append("\r\n");
            }

            _unsent.Clear();
            _dropped.Clear();
            beats = _beats;
        }

        if (commands.Length > 0)
        {
            wire.Send(Encoding.ASCII.GetBytes(commands.ToString()));
        }

        (string Subject, long Id)[] probes;
        lock (_lock)
        {
            probes = [.. _unsentProbes];
            _unsentProbes.Clear();
            // A probe nobody answered "gone" within seconds found its peer alive; forget it.
            foreach (var stale in _probes.Where(p => _time.GetElapsedTime(p.Value.Asked) > TimeSpan.FromSeconds(5)).Select(p => p.Key).ToList())
            {
                _probes.Remove(stale);
            }
        }

        foreach (var (subject, id) in probes)
        {
            wire.Publish(subject, [], $"{_inbox}.{id.ToString(CultureInfo.InvariantCulture)}");
        }

        foreach (var (subject, payload, every) in beats)
        {
            if (!lastSent.TryGetValue(subject, out var last) || _time.GetElapsedTime(last) >= every)
            {
                wire.Publish(subject, payload());
                lastSent[subject] = _time.GetTimestamp();
            }
        }
    }

    private void Deliver(NatsWire.Message message)
    {
        Action<NatsWire.Message>? onMessage;
        lock (_lock)
        {
            onMessage = _subscriptions.TryGetValue(message.Sid, out var subscription) ? subscription.OnMessage : null;
        }

        onMessage?.Invoke(message);
    }

    private void OnProbeAnswer(NatsWire.Message answer)
    {
        if (answer.Status != 503 || !long.TryParse(answer.Subject.AsSpan(_inbox.Length + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var id))
        {
            return;
        }

        Action? gone;
        lock (_lock)
        {
            gone = _probes.Remove(id, out var probe) ? probe.Gone : null;
        }

        gone?.Invoke();
    }

    private void Drop()
    {
        _wire?.Dispose();
        _wire = null;
    }

    private sealed class Undo(Action undo) : IDisposable
    {
        private Action? _undo = undo;

        public void Dispose() => Interlocked.Exchange(ref _undo, null)?.Invoke();
    }
}
