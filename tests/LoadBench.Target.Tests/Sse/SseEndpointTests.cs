using System.Net;
using System.Net.ServerSentEvents;
using LoadBench.Contracts;
using LoadBench.Target.Tests.TestSupport;

namespace LoadBench.Target.Tests.Sse;

public sealed class SseEndpointTests
{
    private static async Task<(HttpResponseMessage Response, IAsyncEnumerator<SseItem<string>> Events)> SubscribeAsync(
        HttpClient http, string query, string? lastEventId = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, FeedRoutes.Sse + query);
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }

        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var stream = await response.Content.ReadAsStreamAsync();
        return (response, SseParser.Create(stream).EnumerateAsync().GetAsyncEnumerator());
    }

    private static async Task<List<SseItem<string>>> TakeAsync(IAsyncEnumerator<SseItem<string>> events, int count)
    {
        var items = new List<SseItem<string>>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (items.Count < count && await events.MoveNextAsync().AsTask().WaitAsync(timeout.Token))
        {
            items.Add(events.Current);
        }

        return items;
    }

    [Fact]
    public async Task Sse_StreamsEventsInOrder_ByteIdentical_WithIds()
    {
        await using var target = await RunningTarget.StartAsync();
        var early = target.Publish(2);
        var (response, events) = await SubscribeAsync(target.Http, "?after=1");
        using (response)
        {
            var later = target.Publish(3);
            var items = await TakeAsync(events, 4);

            Assert.Equal([early[1], .. later], items.Select(i => i.Data));
            Assert.Equal(["2", "3", "4", "5"], items.Select(i => i.EventId));
            Assert.All(items, i => Assert.Equal("message", i.EventType));
        }
    }

    [Fact]
    public async Task Sse_ResumeWithLastEventId_AfterDisconnect_LosesNothing()
    {
        await using var target = await RunningTarget.StartAsync();
        var all = target.Publish(3);
        var (first, firstEvents) = await SubscribeAsync(target.Http, "?after=0");
        var received = (await TakeAsync(firstEvents, 3)).Select(i => i.Data).ToList();
        first.Dispose();

        all.AddRange(target.Publish(4));
        // Last-Event-ID wins over after: after=0 would replay everything.
        var (second, secondEvents) = await SubscribeAsync(target.Http, "?after=0", lastEventId: "3");
        using (second)
        {
            received.AddRange((await TakeAsync(secondEvents, 4)).Select(i => i.Data));
        }

        Assert.Equal(all, received);
    }

    [Fact]
    public async Task Sse_AfterOldestRetained_SaysGoneInBand_ThenEnds()
    {
        await using var target = await RunningTarget.StartAsync("--retention", "4");
        target.Publish(10);
        var (response, events) = await SubscribeAsync(target.Http, "?after=2");
        using (response)
        {
            var items = await TakeAsync(events, 5);
            var gone = Assert.Single(items);
            Assert.Equal(FeedGone.SseEventType, gone.EventType);
            Assert.Equal("""{"oldestSeq":7,"after":2}""", gone.Data);
        }
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("-4")]
    [InlineData("12345")]
    public async Task Sse_BadLastEventId_Returns400Problem(string lastEventId)
    {
        await using var target = await RunningTarget.StartAsync();
        target.Publish(2);
        using var request = new HttpRequestMessage(HttpMethod.Get, FeedRoutes.Sse);
        request.Headers.Add("Last-Event-ID", lastEventId);

        using var response = await target.Http.SendAsync(request);

        var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("Last-Event-ID", problem.GetProperty("parameter").GetString());
    }

    [Fact]
    public async Task Sse_BadAfter_Returns400Problem()
    {
        await using var target = await RunningTarget.StartAsync();

        using var response = await target.Http.GetAsync(FeedRoutes.Sse + "?after=minus-one");

        await Problems.AssertProblemAsync(response, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Sse_TargetShutsDown_StreamEnds()
    {
        var target = await RunningTarget.StartAsync();
        await using (target)
        {
            var (response, events) = await SubscribeAsync(target.Http, "?after=0");
            using (response)
            {
                var moving = events.MoveNextAsync().AsTask();
                await target.StopAsync();
                // A clean end of stream (false), not a hang.
                Assert.False(await moving.WaitAsync(TimeSpan.FromSeconds(10)));
            }
        }
    }
}
