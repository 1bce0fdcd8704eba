using System.Buffers;
using System.IO.Pipelines;
using LoadBench.Target.Feed;
using LoadBench.Target.Stats;

namespace LoadBench.Target.Sse;

/// <summary>
/// Where an SSE stream's frames go. Plain: straight into the response's <see cref="PipeWriter"/>, several events
/// per flush — <see cref="SseFeedWriter"/> flushes when nothing more is ready to send (or past
/// <see cref="MaxUnflushedBytes"/>), so every event already published to a subscriber leaves in one write and one
/// flush instead of one each. Compressed (br, gzip): through the compressor stream, whose every write is a sync
/// flush (<see cref="Compression.FlushPerWriteStream"/>), one write per event as before: each event decodes on
/// arrival, and the compressed bytes do not depend on how events were batched.
/// </summary>
/// <para>
/// A plain body is also the subscriber's output for <see cref="FeedFanOut"/> (<see cref="IFanOutSink"/>): while the
/// subscriber is parked, a fan-out worker appends frames and flushes here instead of the send loop — never both at once.
/// </para>
internal sealed class SseBody : IFanOutSink
{
    /// <summary>A subscriber far behind (a resume, after=0) still gets its backlog in bounded pieces.</summary>
    public const int MaxUnflushedBytes = 64 * 1024;

    private readonly PipeWriter? _pipe;
    private readonly Stream? _compressor;
    private readonly TransportCounters _counters;
    private int _unflushedEvents;
    private long _unflushedPayloadBytes;
    private int _unflushedBytes;

    private SseBody(PipeWriter? pipe, Stream? compressor, TransportCounters counters)
    {
        _pipe = pipe;
        _compressor = compressor;
        _counters = counters;
    }

    public static SseBody Plain(PipeWriter body, TransportCounters counters) =>
        new(body ?? throw new ArgumentNullException(nameof(body)), null, counters ?? throw new ArgumentNullException(nameof(counters)));

    /// <summary>Can the fan-out write here? Plain bodies only: a compressed stream keeps its one write per event.</summary>
    public bool CanFanOut => _pipe is not null;

    public static SseBody Compressed(Stream compressor, TransportCounters counters) =>
        new(null, compressor ?? throw new ArgumentNullException(nameof(compressor)), counters ?? throw new ArgumentNullException(nameof(counters)));

    /// <summary>Writes the event's frame, made at publish; plain, it is sent at the next flush.</summary>
    public ValueTask WriteEventAsync(PublishedEvent feedEvent, CancellationToken cancellationToken)
    {
        var frame = feedEvent.SseFrame;
        if (_pipe is null)
        {
            _counters.CompressedEventsSent(1, feedEvent.Json.Length);
            return _compressor!.WriteAsync(frame, cancellationToken);
        }

        Append(feedEvent);
        return _unflushedBytes >= MaxUnflushedBytes ? FlushAsync(cancellationToken) : ValueTask.CompletedTask;
    }

    /// <summary>Plain only: the event's frame into the body, sent at the next flush.</summary>
    public void Append(PublishedEvent feedEvent)
    {
        ArgumentNullException.ThrowIfNull(feedEvent);
        var frame = feedEvent.SseFrame;
        _pipe!.Write(frame.Span);
        _unflushedEvents++;
        _unflushedPayloadBytes += feedEvent.Json.Length;
        _unflushedBytes += frame.Length;
    }

    ValueTask<bool> IFanOutSink.FlushAsync(CancellationToken cancellationToken)
    {
        var flush = FlushAsync(cancellationToken);
        if (flush.IsCompletedSuccessfully)
        {
            flush.GetAwaiter().GetResult();
            return new ValueTask<bool>(true);
        }

        return FlushedAsync(flush);
    }

    /// <summary>Writes a heartbeat or a final event and sends it at once, after whatever is still unflushed.</summary>
    public ValueTask WriteNowAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        if (_pipe is null)
        {
            return _compressor!.WriteAsync(bytes, cancellationToken);
        }

        _pipe.Write(bytes.Span);
        _unflushedBytes += bytes.Length;
        return FlushAsync(cancellationToken);
    }

    /// <summary>Sends what was written since the last flush (nothing to do when that is nothing, or compressed).</summary>
    public ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        if (_pipe is null || _unflushedBytes == 0)
        {
            return ValueTask.CompletedTask;
        }

        CountUnflushed();
        _unflushedBytes = 0;
        var flush = _pipe.FlushAsync(cancellationToken);
        if (flush.IsCompletedSuccessfully)
        {
            flush.GetAwaiter().GetResult();
            return ValueTask.CompletedTask;
        }

        return AwaitFlushAsync(flush);
    }

    /// <summary>
    /// The stream ended between a write and its flush (the target stops, the client left): the events written are
    /// the server's to send as the response ends, so they are counted, as events handed to a socket always are.
    /// </summary>
    public void CountUnflushed()
    {
        if (_unflushedEvents > 0)
        {
            // One count per flush, not per event: every subscriber adds to the same counters.
            _counters.EventsSent(_unflushedEvents, _unflushedPayloadBytes);
            _unflushedEvents = 0;
            _unflushedPayloadBytes = 0;
        }
    }

    private static async ValueTask AwaitFlushAsync(ValueTask<FlushResult> flush) => await flush;

    private static async ValueTask<bool> FlushedAsync(ValueTask flush)
    {
        await flush;
        return true;
    }
}
