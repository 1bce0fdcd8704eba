using System.Buffers;
using System.Net.WebSockets;
using LoadBench.Target.Feed;
using LoadBench.Target.Stats;

namespace LoadBench.Target.WebSockets;

/// <summary>
/// How a feed WebSocket's events leave. Uncompressed, with a <see cref="FeedSocketStream"/> under the socket: each
/// event's text frame is appended to a batch (a pooled buffer, held only while a batch is open), and the send loop
/// writes the batch in one write when nothing more is ready for the subscriber — every event already published to it
/// in one write and one flush — or past <see cref="MaxBatchBytes"/>. Otherwise (permessage-deflate: each message
/// goes through the connection's compressor) one <see cref="WebSocket.SendAsync(ReadOnlyMemory{byte}, WebSocketMessageType, bool, CancellationToken)"/> per event.
/// Events are counted once written, as the socket's own sends are. Uncompressed, the batch is also the subscriber's
/// output for <see cref="FeedFanOut"/> (<see cref="IFanOutSink"/>): while the subscriber is parked, a fan-out worker
/// appends and flushes here instead of the send loop — never both at once.
/// </summary>
internal sealed class WebSocketEventSender(WebSocket socket, FeedSocketStream? frames, TransportCounters counters, bool compressed) : IDisposable, IFanOutSink
{
    /// <summary>A subscriber far behind (a resume, after=0) still gets its backlog in bounded writes.</summary>
    public const int MaxBatchBytes = 64 * 1024;

    private byte[]? _batch;
    private int _length;
    private int _events;
    private long _payloadBytes;

    /// <summary>Can the fan-out write here? Uncompressed sockets only: a compressed message goes through the socket's compressor.</summary>
    public bool CanFanOut => frames is not null;

    /// <summary>Adds the event to the batch (sent at <see cref="FlushAsync"/>), or sends it now. False: the socket
    /// has sent its close frame, nothing more may be sent.</summary>
    public ValueTask<bool> AddAsync(PublishedEvent feedEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(feedEvent);
        if (frames is null)
        {
            return SendOneAsync(feedEvent, cancellationToken);
        }

        Append(feedEvent);
        return _length >= MaxBatchBytes ? FlushAsync(cancellationToken) : new ValueTask<bool>(true);
    }

    /// <summary>Uncompressed only: the event's text frame into the batch, sent at the next <see cref="FlushAsync"/>.</summary>
    public void Append(PublishedEvent feedEvent)
    {
        ArgumentNullException.ThrowIfNull(feedEvent);
        var json = feedEvent.Json.Span;
        Reserve(WebSocketFrames.HeaderLength(json.Length) + json.Length);
        _length += WebSocketFrames.WriteText(json, _batch.AsSpan(_length));
        _events++;
        _payloadBytes += json.Length;
    }

    /// <summary>Writes the batch (nothing to do when it is empty). False: the socket has sent its close frame.</summary>
    public async ValueTask<bool> FlushAsync(CancellationToken cancellationToken)
    {
        if (_batch is not { } batch)
        {
            return true;
        }

        var (length, events, payloadBytes) = (_length, _events, _payloadBytes);
        (_batch, _length, _events, _payloadBytes) = (null, 0, 0, 0);
        try
        {
            if (!await frames!.WriteFramesAsync(batch.AsMemory(0, length), cancellationToken))
            {
                return false;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(batch);
        }

        // One count per batch, not per event: every subscriber adds to the same counters.
        counters.EventsSent(events, payloadBytes);
        return true;
    }

    public void Dispose()
    {
        if (_batch is { } batch)
        {
            _batch = null;
            ArrayPool<byte>.Shared.Return(batch);
        }
    }

    private void Reserve(int bytes)
    {
        if (_batch is null)
        {
            _batch = ArrayPool<byte>.Shared.Rent(Math.Max(bytes, 4096));
        }
        else if (_batch.Length - _length < bytes)
        {
            var larger = ArrayPool<byte>.Shared.Rent(Math.Max(_length + bytes, 2 * _batch.Length));
            _batch.AsSpan(0, _length).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_batch);
            _batch = larger;
        }
    }

    private async ValueTask<bool> SendOneAsync(PublishedEvent feedEvent, CancellationToken cancellationToken)
    {
        await socket.SendAsync(feedEvent.Json, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
        if (compressed)
        {
            // The compressed frame's bytes were counted as written (CompressedWebSocketWire); the message itself is
            // the event, the decoded body.
            counters.CompressedEventsSent(1, feedEvent.Json.Length);
            counters.CompressedBody(0, feedEvent.Json.Length);
        }
        else
        {
            counters.EventsSent(1, feedEvent.Json.Length);
        }

        return true;
    }
}
