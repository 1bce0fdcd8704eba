using System.Text;
using System.Text.Json;
using LoadBench.Target.Feed;
using Microsoft.Extensions.Time.Testing;

namespace LoadBench.Target.Tests.Feed;

public sealed class FeedLogTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    private static (FeedLog Log, FakeTimeProvider Time) NewLog(int retention = 100, int payloadBytes = 8, int delayMs = 0)
    {
        var time = new FakeTimeProvider(Start);
        return (new FeedLog(time, new TargetOptions { Retention = retention, PayloadBytes = payloadBytes, RatePerSecond = 0, DeliveryDelayMs = delayMs }), time);
    }

    [Fact]
    public void Publish_SerializesOnce_WithSeqTsAndPayloadOfConfiguredSize()
    {
        var (log, time) = NewLog(payloadBytes: 5);
        var first = log.Publish();
        time.Advance(TimeSpan.FromMilliseconds(1.5));
        var second = log.Publish();

        Assert.Equal("""{"seq":1,"ts":1795608000000000,"data":"abcde"}""", Encoding.UTF8.GetString(first.Json.Span));
        Assert.Equal("""{"seq":2,"ts":1795608000001500,"data":"abcde"}""", Encoding.UTF8.GetString(second.Json.Span));
        Assert.Equal("2", second.SeqText);
    }

    [Fact]
    public void Publish_PayloadSizeChange_AppliesToNextEvent()
    {
        var (log, _) = NewLog(payloadBytes: 3);
        log.UpdateSettings(null, 70, null);
        var data = JsonDocument.Parse(log.Publish().Json).RootElement.GetProperty("data").GetString()!;
        Assert.Equal(70, Encoding.UTF8.GetByteCount(data));
    }

    [Fact]
    public void Read_ReturnsEventsAfterCursor_OldestFirst_AtMostMax()
    {
        var (log, _) = NewLog();
        for (var i = 0; i < 10; i++)
        {
            log.Publish();
        }

        var read = log.Read(after: 3, max: 4);
        Assert.False(read.Gone);
        Assert.Equal([4L, 5L, 6L, 7L], read.Events.Select(e => e.Seq));
        Assert.Empty(log.Read(after: 10, max: 4).Events);
    }

    [Fact]
    public void Read_AfterOldestRetained_IsGone_WithOldestSeq()
    {
        var (log, _) = NewLog(retention: 5);
        for (var i = 0; i < 12; i++)
        {
            log.Publish();
        }

        Assert.Equal(8, log.OldestSeq);
        Assert.Equal(12, log.LatestSeq);
        var gone = log.Read(after: 6, max: 10);
        Assert.True(gone.Gone);
        Assert.Equal(8, gone.OldestSeq);
        Assert.Equal([8L, 9L, 10L, 11L, 12L], log.Read(after: 7, max: 10).Events.Select(e => e.Seq));
    }

    [Fact]
    public async Task WaitForEventAfterAsync_CompletesOnPublish_NotBefore()
    {
        var (log, _) = NewLog();
        log.Publish();
        var waiting = log.WaitForEventAfterAsync(1, CancellationToken.None);
        await Task.Delay(50);
        Assert.False(waiting.IsCompleted);

        log.Publish();
        await waiting.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task WaitForEventAfterAsync_HonorsCancellationToken()
    {
        var (log, _) = NewLog();
        using var cancellation = new CancellationTokenSource();
        var waiting = log.WaitForEventAfterAsync(0, cancellation.Token);
        await cancellation.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
    }

    [Fact]
    public async Task DeliveryDelay_HoldsEventBackUntilItIsDue()
    {
        var (log, time) = NewLog(delayMs: 20);
        log.Publish();
        Assert.Equal(EventLookup.NotYet, log.TryGet(1, out _));
        Assert.Empty(log.Read(0, 10).Events);
        var waiting = log.WaitForEventAfterAsync(0, CancellationToken.None);

        time.Advance(TimeSpan.FromMilliseconds(19));
        Assert.Equal(EventLookup.NotYet, log.TryGet(1, out _));
        time.Advance(TimeSpan.FromMilliseconds(1));

        await waiting.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(EventLookup.Found, log.TryGet(1, out _));
    }

    [Fact]
    public async Task ManyWaiters_AreAllWokenByOnePublish()
    {
        var (log, _) = NewLog();
        var waiters = Enumerable.Range(0, 1_000).Select(_ => log.WaitForEventAfterAsync(0, CancellationToken.None)).ToArray();
        Assert.DoesNotContain(waiters, w => w.IsCompleted);

        log.Publish();

        await Task.WhenAll(waiters).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.All(waiters, w => Assert.True(w.IsCompletedSuccessfully));
    }
}
