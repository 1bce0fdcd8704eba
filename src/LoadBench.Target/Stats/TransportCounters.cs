using LoadBench.Contracts;

namespace LoadBench.Target.Stats;

/// <summary>What the target counts for one transport. Written by many connections at once, hence Interlocked.</summary>
public sealed class TransportCounters(string transportId)
{
    private long _openConnections;
    private long _requests;
    private long _eventsSent;
    private long _payloadBytes;
    private long _eventBytes;
    private long _decodedBodyBytes;
    private long _headerBytes;
    private long _bytesRead;
    private long _bytesWritten;

    public string TransportId { get; } = transportId;

    public void RequestStarted()
    {
        Interlocked.Increment(ref _requests);
        Interlocked.Increment(ref _openConnections);
    }

    public void RequestEnded() => Interlocked.Decrement(ref _openConnections);

    /// <summary>Counts events written to a client uncompressed and their JSON bytes (the payload part of the socket bytes).</summary>
    public void EventsSent(int events, long payloadBytes)
    {
        Interlocked.Add(ref _eventsSent, events);
        Interlocked.Add(ref _payloadBytes, payloadBytes);
        Interlocked.Add(ref _eventBytes, payloadBytes);
    }

    /// <summary>Counts events written into a compressor: their JSON is not on the socket, so it is not payload here
    /// (<see cref="CompressedBody"/> counts what the compressor wrote instead).</summary>
    public void CompressedEventsSent(int events, long eventBytes)
    {
        Interlocked.Add(ref _eventsSent, events);
        Interlocked.Add(ref _eventBytes, eventBytes);
    }

    /// <summary>Counts a compressed body's bytes as written to the response (or WebSocket data-frame payloads): the
    /// payload part of the socket bytes on a compressed connection; <paramref name="decodedBytes"/>: body bytes fed
    /// to the compressor (events and what frames them inside the body), for the uncompressed split.</summary>
    public void CompressedBody(long wireBytes, long decodedBytes)
    {
        Interlocked.Add(ref _payloadBytes, wireBytes);
        Interlocked.Add(ref _decodedBodyBytes, decodedBytes);
    }

    // Adds of nothing are skipped: most writes of a stream carry no head bytes, and an atomic add on a counter every
    // connection shares costs its cache line even when it adds 0.
    public void Read(long bytes, long headBytes)
    {
        AddIfAny(ref _bytesRead, bytes);
        AddIfAny(ref _headerBytes, headBytes);
    }

    public void Written(long bytes, long headBytes)
    {
        AddIfAny(ref _bytesWritten, bytes);
        AddIfAny(ref _headerBytes, headBytes);
    }

    private static void AddIfAny(ref long counter, long value)
    {
        if (value != 0)
        {
            Interlocked.Add(ref counter, value);
        }
    }

    public TransportStats Snapshot() => new(
        Volatile.Read(ref _openConnections), Volatile.Read(ref _requests), Volatile.Read(ref _eventsSent),
        Volatile.Read(ref _payloadBytes), Volatile.Read(ref _headerBytes),
        Volatile.Read(ref _bytesRead), Volatile.Read(ref _bytesWritten))
    {
        EventBytes = Volatile.Read(ref _eventBytes),
        DecodedBodyBytes = Volatile.Read(ref _decodedBodyBytes),
    };
}
