using System.Buffers;
using System.IO.Pipelines;
using System.Net.WebSockets;
using LoadBench.Contracts;
using LoadBench.Target.Feed;
using LoadBench.Target.Sse;
using LoadBench.Target.Stats;
using LoadBench.Target.Tests.TestSupport;
using LoadBench.Target.WebSockets;

namespace LoadBench.Target.Tests.Feed;

/// <summary>
/// <see cref="FeedFanOut"/>: caught-up subscribers are written by the fan-out's workers, every event once, in order,
/// byte for byte the send loop's frames and counted as it counts; what the fan-out does not do (a flush that does not
/// complete at once, a failed write, a restart, events gone) falls back to the subscriber's own loops, losing nothing.
/// Every wait is for a fact (bytes flushed, a subscriber parked, a pass run), never for a time.
/// </summary>
public sealed class FeedFanOutTests
{
    [Fact]
    public async Task Publish_ToParkedSubscribers_TheFanOutWritesEachOnce_EveryEventInOrder_ByteIdentical_Counted()
    {
        var (log, _) = FeedLogFollowTests.NewLog(retention: 1000);
        var counters = new TransportCounters("sse");
        await using var subscribers = new Subscribers(log, counters, count: 6);
        await subscribers.UntilAllParkedAsync();

        var first = log.Publish();
        await subscribers.UntilEachFlushedAsync([first]);
        // Parked subscribers are only ever written by the fan-out: one write each for the one event.
        await Wait.UntilAsync(() => log.FanOut.Writes == 6, "the fan-out's six writes");

        // More events than one pass takes, published while passes run: each subscriber still gets every one, once, in order.
        var all = new List<PublishedEvent> { first };
        for (var i = 0; i < 300; i++)
        {
            all.Add(log.Publish());
        }

        await subscribers.UntilEachFlushedAsync(all);
        var counted = counters.Snapshot();
        Assert.Equal(6 * all.Count, counted.EventsSent);
        Assert.Equal(6 * all.Sum(e => (long)e.Json.Length), counted.PayloadBytes);
    }

    [Fact]
    public async Task AFlushThatDoesNotCompleteAtOnce_KeepsTheSubscriberOutOfPasses_ThenItsLoopSendsWhatCameMeanwhile_InOneWrite()
    {
        var (log, _) = FeedLogFollowTests.NewLog();
        await using var subscribers = new Subscribers(log, new TransportCounters("sse"), count: 1);
        var writer = subscribers.Writers[0];
        await subscribers.UntilAllParkedAsync();

        writer.HoldFlushes = true;
        var e1 = log.Publish();
        await Wait.UntilAsync(() => writer.HeldFlushes == 1 && log.FanOut.IsIdle, "the fan-out's flush, held");
        var e2 = log.Publish();
        var e3 = log.Publish();
        // Every pass the publishes asked for has run, and none wrote to the subscriber whose flush is held.
        await Wait.UntilAsync(() => log.FanOut.IsIdle, "the passes after the publishes");
        Assert.Equal(1, log.FanOut.Writes);

        writer.HoldFlushes = false;
        writer.ReleaseHeldFlush();
        await subscribers.UntilEachFlushedAsync([e1, e2, e3]);
        var flushes = writer.Flushes;
        Assert.Equal(2, flushes.Count);
        Assert.Equal(Frames(e1), flushes[0]);
        Assert.Equal(Frames(e2, e3), flushes[1]);

        // Caught up again: parked, and the next event is the fan-out's.
        await subscribers.UntilAllParkedAsync();
        var e4 = log.Publish();
        await subscribers.UntilEachFlushedAsync([e1, e2, e3, e4]);
        await Wait.UntilAsync(() => log.FanOut.Writes == 2, "the fan-out's second write");
    }

    [Fact]
    public async Task AWriteThatFails_EndsTheStreamWithThatFailure()
    {
        var (log, _) = FeedLogFollowTests.NewLog();
        await using var subscribers = new Subscribers(log, new TransportCounters("sse"), count: 1);
        await subscribers.UntilAllParkedAsync();

        subscribers.Writers[0].FailFlushes = true;
        log.Publish();

        await Assert.ThrowsAsync<IOException>(() => subscribers.Streams[0]);
    }

    [Fact]
    public async Task Restart_WhileParked_IsToldAsReset_AfterTheEventsBeforeIt()
    {
        var (log, _) = FeedLogFollowTests.NewLog();
        await using var subscribers = new Subscribers(log, new TransportCounters("sse"), count: 1);
        await subscribers.UntilAllParkedAsync();
        var e1 = log.Publish();
        await subscribers.UntilEachFlushedAsync([e1]);

        var epoch = log.Restart();
        await subscribers.Streams[0].WaitAsync(TimeSpan.FromSeconds(30));

        var reset = SseFrames.Named(FeedReset.SseEventType, FeedProblems.ResetJson(epoch, 0));
        Assert.Equal(Frames(e1).Concat(reset), subscribers.Writers[0].Flushes.SelectMany(f => f));
    }

    [Fact]
    public async Task EventsGoneWhileAFlushIsHeld_AreToldAsGone_AfterTheEventsSent()
    {
        var (log, _) = FeedLogFollowTests.NewLog(retention: 4);
        await using var subscribers = new Subscribers(log, new TransportCounters("sse"), count: 1);
        var writer = subscribers.Writers[0];
        await subscribers.UntilAllParkedAsync();
        writer.HoldFlushes = true;
        var e1 = log.Publish();
        await Wait.UntilAsync(() => writer.HeldFlushes == 1, "the fan-out's flush, held");
        FeedLogFollowTests.Publish(log, 8);

        writer.HoldFlushes = false;
        writer.ReleaseHeldFlush();
        await subscribers.Streams[0].WaitAsync(TimeSpan.FromSeconds(30));

        var gone = SseFrames.Named(FeedGone.SseEventType, FeedProblems.GoneJson(1, log.OldestSeq));
        Assert.Equal(Frames(e1).Concat(gone), writer.Flushes.SelectMany(f => f));
    }

    [Fact]
    public async Task Cancelled_WhileParked_TheStreamEnds_AndLeavesTheFanOut()
    {
        var (log, _) = FeedLogFollowTests.NewLog();
        await using var subscribers = new Subscribers(log, new TransportCounters("sse"), count: 2);
        await subscribers.UntilAllParkedAsync();

        await subscribers.Stop.CancelAsync();

        foreach (var stream in subscribers.Streams)
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => stream.WaitAsync(TimeSpan.FromSeconds(30)));
        }

        await subscribers.DisposeAsync();
        var passes = log.FanOut.Passes;
        log.Publish();
        // Nobody left: the publish queues no pass at all.
        Assert.Equal(passes, log.FanOut.Passes);
        Assert.Equal(0, log.FanOut.Writes);
    }

    [Fact]
    public async Task WebSocketSender_AsTheFanOutsSink_WritesTheAppendedEventsAsTextFrames_InOneWrite_Counted()
    {
        var (log, _) = FeedLogFollowTests.NewLog();
        var events = Enumerable.Range(0, 3).Select(_ => log.Publish()).ToList();
        var wire = new WriteRecordingStream();
        var counters = new TransportCounters("ws");
        using var socket = WebSocket.CreateFromStream(wire, new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = TimeSpan.Zero });
        using var sender = new WebSocketEventSender(socket, new FeedSocketStream(wire), counters, compressed: false);
        foreach (var e in events)
        {
            sender.Append(e);
        }

        // What the fan-out calls (IFanOutSink): the appended events leave in one write at the flush.
        Assert.True(await sender.FlushAsync(CancellationToken.None));

        var expected = events.SelectMany(e =>
        {
            var frame = new byte[WebSocketFrames.HeaderLength(e.Json.Length) + e.Json.Length];
            WebSocketFrames.WriteText(e.Json.Span, frame);
            return frame;
        });
        Assert.Equal(expected.ToArray(), Assert.Single(wire.Writes));
        Assert.Equal(3, counters.Snapshot().EventsSent);
        Assert.Equal(events.Sum(e => (long)e.Json.Length), counters.Snapshot().PayloadBytes);
    }

    private static byte[] Frames(params PublishedEvent[] events) => [.. events.SelectMany(e => e.SseFrame.ToArray())];

    /// <summary>SSE subscribers on plain bodies, each in the fan-out, each run by the real send loop.</summary>
    private sealed class Subscribers : IAsyncDisposable
    {
        private readonly List<FanOutSubscription> _fanOuts = [];
        private bool _disposed;

        public Subscribers(FeedLog log, TransportCounters counters, int count)
        {
            for (var i = 0; i < count; i++)
            {
                var writer = new ControlledPipeWriter();
                var body = SseBody.Plain(writer, counters);
                var fanOut = log.FanOut.Subscribe(body, connection: null, Stop.Token, Stop.Token);
                _fanOuts.Add(fanOut);
                Writers.Add(writer);
                Streams.Add(SseFeedWriter.WriteAsync(log.FollowAsync(log.LatestSeq, epoch: null, follower: null, fanOut, Stop.Token),
                    body, heartbeat: null, connection: null, Stop, fanOut));
            }
        }

        public CancellationTokenSource Stop { get; } = new();

        public List<ControlledPipeWriter> Writers { get; } = [];

        public List<Task> Streams { get; } = [];

        public Task UntilAllParkedAsync() => Wait.UntilAsync(() => _fanOuts.All(f => f.IsParked), "every subscriber parked");

        public Task UntilEachFlushedAsync(List<PublishedEvent> events)
        {
            var expected = Frames([.. events]);
            return Wait.UntilAsync(() => Writers.All(w => w.Flushes.SelectMany(f => f).SequenceEqual(expected)),
                $"every subscriber's flushes to be the frames of {events.Count} events, in order", timeoutMs: 30_000);
        }

        public async ValueTask DisposeAsync()
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            await Stop.CancelAsync();
            foreach (var stream in Streams)
            {
                try
                {
                    await stream.WaitAsync(TimeSpan.FromSeconds(30));
                }
                catch (Exception e) when (e is OperationCanceledException or IOException)
                {
                }
            }

            foreach (var fanOut in _fanOuts)
            {
                fanOut.Dispose();
            }

            Stop.Dispose();
        }
    }

    /// <summary>A response body that keeps what each flush sent; it can hold a flush (back-pressure) or fail it.</summary>
    private sealed class ControlledPipeWriter : PipeWriter
    {
        private readonly ArrayBufferWriter<byte> _pending = new();
        private readonly List<byte[]> _flushes = [];
        private TaskCompletionSource<FlushResult>? _held;

        public volatile bool HoldFlushes;

        public volatile bool FailFlushes;

        public int HeldFlushes => Volatile.Read(ref _held) is null ? 0 : 1;

        public IReadOnlyList<byte[]> Flushes
        {
            get
            {
                lock (_flushes)
                {
                    return [.. _flushes];
                }
            }
        }

        public void ReleaseHeldFlush()
        {
            var held = Interlocked.Exchange(ref _held, null) ?? throw new InvalidOperationException("No flush is held.");
            held.SetResult(new FlushResult(isCanceled: false, isCompleted: false));
        }

        public override void Advance(int bytes) => _pending.Advance(bytes);

        public override Memory<byte> GetMemory(int sizeHint = 0) => _pending.GetMemory(sizeHint);

        public override Span<byte> GetSpan(int sizeHint = 0) => _pending.GetSpan(sizeHint);

        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
        {
            if (FailFlushes)
            {
                throw new IOException("The connection went away (test).");
            }

            lock (_flushes)
            {
                _flushes.Add(_pending.WrittenSpan.ToArray());
            }

            _pending.ResetWrittenCount();
            if (!HoldFlushes)
            {
                return ValueTask.FromResult(new FlushResult(isCanceled: false, isCompleted: false));
            }

            var held = new TaskCompletionSource<FlushResult>(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref _held, held);
            return new ValueTask<FlushResult>(held.Task);
        }

        public override void CancelPendingFlush()
        {
        }

        public override void Complete(Exception? exception = null)
        {
        }
    }

    /// <summary>A stream under a WebSocket that keeps every write (reads never complete: the client sends nothing).</summary>
    private sealed class WriteRecordingStream : Stream
    {
        private readonly List<byte[]> _writes = [];

        public IReadOnlyList<byte[]> Writes
        {
            get
            {
                lock (_writes)
                {
                    return [.. _writes];
                }
            }
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Write(buffer.Span);
            return ValueTask.CompletedTask;
        }

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            lock (_writes)
            {
                _writes.Add(buffer.ToArray());
            }
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return 0;
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
