namespace LoadBench.Engine.Metrics;

/// <summary>
/// Counters of one client. The client is the only writer (plain increments on its own fields — no shared
/// cache line, no interlocked cost per event); the scheduler takes <see cref="Snapshot"/>s while the phase
/// runs (each field read is atomic on 64-bit; the set is not a consistent cut, which live progress does
/// not need) and sums the final snapshots after every client stopped.
/// </summary>
internal sealed class ClientCounters
{
    private long _eventsDelivered;
    private long _requests;
    private long _emptyResponses;
    private long _lost;
    private long _duplicates;
    private long _reorders;
    private long _reconnects;
    private long _goneSignals;
    private long _resets;
    private long _tooSlowSignals;
    private long _payloadBytes;
    private long _framingBytes;
    private long _headerBytes;
    private long _socketBytesRead;
    private long _socketBytesWritten;
    private long _tlsBytes;
    private long _uncompressedPayloadBytes;
    private long _decodedBodyBytes;
    private readonly Dictionary<string, long> _errors = new(StringComparer.Ordinal);

    public void EventDelivered(int payloadBytes) { _eventsDelivered++; _payloadBytes += payloadBytes; }
    public void Request(bool empty = false) { _requests++; if (empty) _emptyResponses++; }
    /// <summary>Payload bytes of an event received again: on the wire, but not delivered a second time.</summary>
    public void DuplicatePayload(int payloadBytes) => _payloadBytes += payloadBytes;
    public void Lost(long count) => _lost += count;
    public void Duplicate() => _duplicates++;
    public void Reorder() => _reorders++;
    public void Reconnect() => _reconnects++;
    public void Gone() => _goneSignals++;
    public void Reset() => _resets++;
    public void TooSlow() => _tooSlowSignals++;
    /// <summary>Compressed body bytes on the wire: the payload when the client negotiated compression.</summary>
    public void CompressedPayload(long bytes) => _payloadBytes += bytes;
    /// <summary>Event bytes after decompression (delivered or duplicate), when the wire's payload is compressed.</summary>
    public void UncompressedPayload(int bytes) => _uncompressedPayloadBytes += bytes;
    /// <summary>Body bytes after decompression: events and whatever the body carries around them (SSE fields, brackets).</summary>
    public void DecodedBody(long bytes) => _decodedBodyBytes += bytes;
    public void Framing(long bytes) => _framingBytes += bytes;
    public void Headers(long bytes) => _headerBytes += bytes;
    /// <summary>TLS handshake and record bytes: socket bytes minus the plaintext above TLS.</summary>
    public void Tls(long bytes) => _tlsBytes += bytes;
    public void SocketRead(long bytes) => Interlocked.Add(ref _socketBytesRead, bytes);
    public void SocketWritten(long bytes) => Interlocked.Add(ref _socketBytesWritten, bytes);

    /// <summary>Counts an error by kind (<c>http_503</c>, <c>connect_refused</c>, <c>fd_limit</c>, …).</summary>
    public void Error(string kind)
    {
        lock (_errors)
        {
            _errors[kind] = _errors.GetValueOrDefault(kind) + 1;
        }
    }

    /// <summary>Events delivered so far: what the once-a-second sampler needs, read without a snapshot.</summary>
    public long EventsDelivered => Volatile.Read(ref _eventsDelivered);

    public ClientCountersSnapshot Snapshot()
    {
        // Without errors (the usual client) no dictionary is copied: the sampler snapshots every client, and at
        // 1 event/s one copy per client per snapshot was one allocation per delivery (issue 14).
        IReadOnlyDictionary<string, long> errors;
        lock (_errors)
        {
            errors = _errors.Count == 0 ? ClientCountersSnapshot.NoErrors : new Dictionary<string, long>(_errors, StringComparer.Ordinal);
        }

        return new ClientCountersSnapshot(
            Volatile.Read(ref _eventsDelivered), Volatile.Read(ref _requests), Volatile.Read(ref _emptyResponses),
            Volatile.Read(ref _lost), Volatile.Read(ref _duplicates), Volatile.Read(ref _reorders),
            Volatile.Read(ref _reconnects), Volatile.Read(ref _goneSignals), Volatile.Read(ref _resets), Volatile.Read(ref _tooSlowSignals),
            Volatile.Read(ref _payloadBytes), Volatile.Read(ref _framingBytes), Volatile.Read(ref _headerBytes),
            Volatile.Read(ref _socketBytesRead), Volatile.Read(ref _socketBytesWritten), errors)
        {
            TlsBytes = Volatile.Read(ref _tlsBytes),
            UncompressedPayloadBytes = Volatile.Read(ref _uncompressedPayloadBytes),
            DecodedBodyBytes = Volatile.Read(ref _decodedBodyBytes),
        };
    }
}

/// <summary>A copy of <see cref="ClientCounters"/>; snapshots add up with <see cref="Add"/>.</summary>
internal sealed record ClientCountersSnapshot(
    long EventsDelivered, long Requests, long EmptyResponses,
    long Lost, long Duplicates, long Reorders, long Reconnects, long GoneSignals, long Resets, long TooSlowSignals,
    long PayloadBytes, long FramingBytes, long HeaderBytes,
    long SocketBytesRead, long SocketBytesWritten,
    IReadOnlyDictionary<string, long> Errors)
{
    /// <summary>The errors of a snapshot without any: one shared, never changed instance.</summary>
    internal static IReadOnlyDictionary<string, long> NoErrors { get; } = new Dictionary<string, long>(StringComparer.Ordinal).AsReadOnly();

    public static ClientCountersSnapshot Empty { get; } =
        new(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, NoErrors);

    /// <summary>TLS overhead among the socket bytes (0 on plain connections): socket bytes read + written =
    /// payload + framing + headers + TLS.</summary>
    public long TlsBytes { get; init; }

    public long ErrorCount => Errors.Values.Sum();

    /// <summary>With compression: event bytes after decompression (<see cref="PayloadBytes"/> is then the
    /// compressed body on the wire). 0 without compression.</summary>
    public long UncompressedPayloadBytes { get; init; }

    /// <summary>With compression: body bytes after decompression (events and what frames them inside the body).</summary>
    public long DecodedBodyBytes { get; init; }

    public ClientCountersSnapshot Add(ClientCountersSnapshot other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return new(
            EventsDelivered + other.EventsDelivered, Requests + other.Requests, EmptyResponses + other.EmptyResponses,
            Lost + other.Lost, Duplicates + other.Duplicates, Reorders + other.Reorders,
            Reconnects + other.Reconnects, GoneSignals + other.GoneSignals, Resets + other.Resets, TooSlowSignals + other.TooSlowSignals,
            PayloadBytes + other.PayloadBytes, FramingBytes + other.FramingBytes, HeaderBytes + other.HeaderBytes,
            SocketBytesRead + other.SocketBytesRead, SocketBytesWritten + other.SocketBytesWritten, AddErrors(Errors, other.Errors))
        {
            TlsBytes = TlsBytes + other.TlsBytes,
            UncompressedPayloadBytes = UncompressedPayloadBytes + other.UncompressedPayloadBytes,
            DecodedBodyBytes = DecodedBodyBytes + other.DecodedBodyBytes,
        };
    }

    // Snapshots are never changed after they are made, so a side without errors lets the other's be shared.
    private static IReadOnlyDictionary<string, long> AddErrors(IReadOnlyDictionary<string, long> a, IReadOnlyDictionary<string, long> b)
    {
        if (b.Count == 0)
        {
            return a;
        }

        if (a.Count == 0)
        {
            return b;
        }

        var errors = new Dictionary<string, long>(a, StringComparer.Ordinal);
        foreach (var (kind, count) in b)
        {
            errors[kind] = errors.GetValueOrDefault(kind) + count;
        }

        return errors;
    }

    /// <summary>Difference from an earlier snapshot of the same clients (for the measured phase only).</summary>
    public ClientCountersSnapshot Since(ClientCountersSnapshot earlier)
    {
        var errors = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (kind, count) in Errors)
        {
            var delta = count - earlier.Errors.GetValueOrDefault(kind);
            if (delta != 0)
            {
                errors[kind] = delta;
            }
        }

        return new(
            EventsDelivered - earlier.EventsDelivered, Requests - earlier.Requests, EmptyResponses - earlier.EmptyResponses,
            Lost - earlier.Lost, Duplicates - earlier.Duplicates, Reorders - earlier.Reorders,
            Reconnects - earlier.Reconnects, GoneSignals - earlier.GoneSignals, Resets - earlier.Resets, TooSlowSignals - earlier.TooSlowSignals,
            PayloadBytes - earlier.PayloadBytes, FramingBytes - earlier.FramingBytes, HeaderBytes - earlier.HeaderBytes,
            SocketBytesRead - earlier.SocketBytesRead, SocketBytesWritten - earlier.SocketBytesWritten, errors)
        {
            TlsBytes = TlsBytes - earlier.TlsBytes,
            UncompressedPayloadBytes = UncompressedPayloadBytes - earlier.UncompressedPayloadBytes,
            DecodedBodyBytes = DecodedBodyBytes - earlier.DecodedBodyBytes,
        };
    }
}
