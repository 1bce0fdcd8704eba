using LoadBench.Engine.Metrics;

namespace LoadBench.Engine.Transports.Connections;

/// <summary>
/// One HTTP/2 connection shared by several subscribers (the scenario's <c>streamsPerConnection</c>): one handler,
/// hence one connection, and one <see cref="WireMeter"/> that counts its bytes once. The meter settles into the
/// first member's counters; every member reports the payload it delivers to it, so the connection's headers,
/// framing and TLS are shared over all its streams' events when the scenario's counters are summed.
/// The last member to leave disposes the handler (closing the connection).
/// </summary>
internal sealed class SharedConnection
{
    private readonly Lock _lock = new();
    private WireMeter? _meter;
    private SocketsHttpHandler? _handler;
    private int _members;

    /// <summary>How many subscribers this connection carries at most.</summary>
    public SharedConnection(int streams) => Streams = streams;

    public int Streams { get; }

    /// <summary>A member joins with its counters; returns the connection's meter (made with the first member's counters;
    /// <paramref name="compressed"/> is the scenario's, the same for every member).</summary>
    public WireMeter Join(ClientCounters counters, bool compressed = false, bool deflatedFrames = false)
    {
        lock (_lock)
        {
            _members++;
            return _meter ??= new WireMeter(counters, compressed, deflatedFrames);
        }
    }

    /// <summary>The connection's handler, made once by the first member to ask.</summary>
    public SocketsHttpHandler Handler(Func<WireMeter, SocketsHttpHandler> create)
    {
        ArgumentNullException.ThrowIfNull(create);
        lock (_lock)
        {
            return _handler ??= create(_meter ?? throw new InvalidOperationException("Join before asking for the handler."));
        }
    }

    /// <summary>A member is done; the last one closes the connection.</summary>
    public void Leave()
    {
        SocketsHttpHandler? closing = null;
        lock (_lock)
        {
            if (--_members == 0)
            {
                (closing, _handler) = (_handler, null);
            }
        }

        closing?.Dispose();
    }
}

/// <summary>Hands out <see cref="SharedConnection"/>s to a scenario's clients: <c>streams</c> members each, a new one
/// when the current is full. One per scenario.</summary>
internal sealed class SharedConnections(int streams)
{
    private readonly Lock _lock = new();
    private SharedConnection? _current;
    private int _given;

    /// <summary>The connection for the next client; null when every client has its own (<c>streams</c> = 1).</summary>
    public SharedConnection? Next()
    {
        if (streams <= 1)
        {
            return null;
        }

        lock (_lock)
        {
            if (_current is null || _given == streams)
            {
                _current = new SharedConnection(streams);
                _given = 0;
            }

            _given++;
            return _current;
        }
    }
}
