using System.Buffers;
using System.IO.Pipelines;
using LoadBench.Target.Feed;
using LoadBench.Target.Sse;
using LoadBench.Target.Stats;
using LoadBench.Target.Tests.Feed;
using LoadBench.Target.Tests.TestSupport;

namespace LoadBench.Target.Tests.Sse;

/// <summary><see cref="SseFeedWriter"/>: every event ready for a subscriber leaves in one flush, one published alone at once.</summary>
public sealed class SseFeedWriterTests
{
    [Fact]
    public async Task WriteAsync_EventsAlreadyPublished_LeaveInOneFlush_ALaterOneInItsOwn_AllCounted()
    {
        var (log, _) = FeedLogFollowTests.NewLog();
        var backlog = Enumerable.Range(0, 5).Select(_ => log.Publish()).ToList();
        var writer = new RecordingPipeWriter();
        var counters = new TransportCounters("sse");
        using var stop = new CancellationTokenSource();

        var writing = SseFeedWriter.WriteAsync(log.FollowAsync(0, epoch: null, follower: null, stop.Token),
            SseBody.Plain(writer, counters), heartbeat: null, connection: null, stop);
        await Wait.UntilAsync(() => writer.Flushes.Count == 1, "the backlog's flush");
        var later = log.Publish();
        await Wait.UntilAsync(() => writer.Flushes.Count == 2, "the later event's flush");
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => writing);

        Assert.Equal(backlog.SelectMany(e => e.SseFrame.ToArray()), writer.Flushes[0]);
        Assert.Equal(later.SseFrame.ToArray(), writer.Flushes[1]);
        Assert.Equal(2, writer.Flushes.Count);
        var counted = counters.Snapshot();
        Assert.Equal(6, counted.EventsSent);
        Assert.Equal(backlog.Append(later).Sum(e => (long)e.Json.Length), counted.PayloadBytes);
    }

    [Fact]
    public async Task WriteAsync_ABacklogOverTheBound_IsFlushedInBoundedPieces_InOrder()
    {
        var (log, _) = FeedLogFollowTests.NewLog(retention: 2000);
        var backlog = Enumerable.Range(0, 1500).Select(_ => log.Publish()).ToList();
        var total = backlog.Sum(e => e.SseFrame.Length);
        var writer = new RecordingPipeWriter();
        using var stop = new CancellationTokenSource();

        var writing = SseFeedWriter.WriteAsync(log.FollowAsync(0, epoch: null, follower: null, stop.Token),
            SseBody.Plain(writer, new TransportCounters("sse")), heartbeat: null, connection: null, stop);
        await Wait.UntilAsync(() => writer.Flushes.Sum(f => f.Length) == total, "the whole backlog");
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => writing);

        Assert.Equal(backlog.SelectMany(e => e.SseFrame.ToArray()), writer.Flushes.SelectMany(f => f));
        // Past the bound at once, the rest when nothing more is ready: two flushes for between one and two bounds' worth.
        Assert.InRange(total, SseBody.MaxUnflushedBytes + 1, 2 * SseBody.MaxUnflushedBytes);
        Assert.Equal(2, writer.Flushes.Count);
        Assert.InRange(writer.Flushes[0].Length, SseBody.MaxUnflushedBytes, SseBody.MaxUnflushedBytes + backlog[0].SseFrame.Length);
    }

    /// <summary>A response body that keeps what each flush sent.</summary>
    private sealed class RecordingPipeWriter : PipeWriter
    {
        private readonly ArrayBufferWriter<byte> _pending = new();
        private readonly List<byte[]> _flushes = [];

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

        public override void Advance(int bytes) => _pending.Advance(bytes);

        public override Memory<byte> GetMemory(int sizeHint = 0) => _pending.GetMemory(sizeHint);

        public override Span<byte> GetSpan(int sizeHint = 0) => _pending.GetSpan(sizeHint);

        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
        {
            lock (_flushes)
            {
                _flushes.Add(_pending.WrittenSpan.ToArray());
            }

            _pending.ResetWrittenCount();
            return ValueTask.FromResult(new FlushResult(isCanceled: false, isCompleted: false));
        }

        public override void CancelPendingFlush()
        {
        }

        public override void Complete(Exception? exception = null)
        {
        }
    }
}
