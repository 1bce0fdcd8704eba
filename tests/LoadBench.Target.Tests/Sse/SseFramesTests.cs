using System.Buffers;
using System.Net.ServerSentEvents;
using System.Text;
using LoadBench.Contracts;
using LoadBench.Target.Feed;
using LoadBench.Target.Sse;
using LoadBench.Target.Tests.Feed;

namespace LoadBench.Target.Tests.Sse;

/// <summary>The frames made once per event (<see cref="PublishedEvent.SseFrame"/>) against the framework's own
/// <see cref="SseFormatter"/>, which the target used per subscriber before: the bytes on the wire must not change.</summary>
public sealed class SseFramesTests
{
    private static async Task<byte[]> FormatterBytesAsync(SseItem<byte[]> item)
    {
        using var stream = new MemoryStream();
        await SseFormatter.WriteAsync(One(item), stream, (i, writer) => writer.Write(i.Data), CancellationToken.None);
        return stream.ToArray();
    }

    private static async IAsyncEnumerable<SseItem<byte[]>> One(SseItem<byte[]> item)
    {
        await Task.Yield();
        yield return item;
    }

    [Fact]
    public async Task EventFrame_OfPublishedEvents_IsWhatSseFormatterWrites_AndHoldsTheJsonUnchanged()
    {
        var (log, _) = FeedLogFollowTests.NewLog();
        for (var i = 0; i < 12; i++)
        {
            var published = log.Publish();
            var json = published.Json.ToArray();
            var expected = await FormatterBytesAsync(new SseItem<byte[]>(json) { EventId = published.SeqText });

            Assert.Equal(expected, published.SseFrame.ToArray());
        }
    }

    [Theory]
    [InlineData("{\"a\":1}")]
    [InlineData("")]
    [InlineData("line1\nline2")]
    [InlineData("line1\r\nline2\r\n")]
    [InlineData("a\rb\n\nc")]
    [InlineData("trailing\n")]
    public async Task EventFrame_OfAnyData_IsWhatSseFormatterWrites_LineBreaksIncluded(string data)
    {
        var bytes = Encoding.UTF8.GetBytes(data);
        var created = PublishedEvent.Create(41, bytes, publishedTimestamp: 7);

        Assert.Equal(await FormatterBytesAsync(new SseItem<byte[]>(bytes) { EventId = "41" }), created.SseFrame.ToArray());
        Assert.Equal(bytes, created.Json.ToArray());
        Assert.Equal("41", created.SeqText);
        Assert.Equal(7, created.PublishedTimestamp);
    }

    [Theory]
    [InlineData(FeedGone.SseEventType, "{\"oldestSeq\":5,\"after\":2}")]
    [InlineData(FeedReset.SseEventType, "{\"epoch\":\"0123456789abcdef\",\"latestSeq\":9}")]
    [InlineData(FeedTooSlow.SseEventType, "{\"after\":3,\"latestSeq\":60000}")]
    public async Task NamedFrame_IsWhatSseFormatterWrites(string eventType, string json)
    {
        var expected = await FormatterBytesAsync(new SseItem<byte[]>(Encoding.UTF8.GetBytes(json), eventType));

        Assert.Equal(expected, SseFrames.Named(eventType, json));
    }
}
