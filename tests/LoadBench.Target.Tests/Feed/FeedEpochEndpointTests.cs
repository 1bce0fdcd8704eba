using System.Net;
using System.Net.ServerSentEvents;
using System.Net.WebSockets;
using System.Text.Json;
using LoadBench.Contracts;
using LoadBench.Target.Tests.TestSupport;

namespace LoadBench.Target.Tests.Feed;

/// <summary>
/// The feed epoch on every transport: a stale <c>epoch</c> gets the reset <see cref="FeedReset"/> documents,
/// a stream open when the feed restarts gets it too, and a client starting again from after=0 with the new
/// epoch reads the new feed from seq 1.
/// </summary>
public sealed class FeedEpochEndpointTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private static async Task<(RunningTarget Target, string Stale)> RestartedTargetAsync()
    {
        var target = await RunningTarget.StartAsync();
        target.Publish(5);
        var stale = (await target.InfoAsync()).Epoch!;
        target.Log.Restart();
        target.Publish(2);
        return (target, stale);
    }

    private static async Task AssertResetProblemAsync(HttpResponseMessage response, RunningTarget target)
    {
        var problem = await Problems.AssertProblemAsync(response, (HttpStatusCode)FeedReset.HttpStatus);
        var info = await target.InfoAsync();
        Assert.Equal(info.Epoch, problem.GetProperty("epoch").GetString());
        Assert.Equal(info.LatestSeq, problem.GetProperty("latestSeq").GetInt64());
    }

    [Fact]
    public async Task Info_CarriesTheEpoch_WhichChangesOnRestart_AndOnlyThen()
    {
        await using var target = await RunningTarget.StartAsync();
        var first = (await target.InfoAsync()).Epoch;
        target.Publish(3);
        Assert.Equal(first, (await target.InfoAsync()).Epoch);

        target.Log.Restart();

        var info = await target.InfoAsync();
        Assert.Matches("^[0-9a-f]{16}$", info.Epoch);
        Assert.NotEqual(first, info.Epoch);
        Assert.Equal((0L, 0L), (info.OldestSeq, info.LatestSeq));
    }

    [Fact]
    public async Task Poll_StaleEpoch_Returns409Reset_EvenWithACursorBeyondTheNewFeed()
    {
        var (target, stale) = await RestartedTargetAsync();
        await using (target)
        {
            using var response = await target.Http.GetAsync($"{FeedRoutes.Poll}?after=5&epoch={stale}");

            await AssertResetProblemAsync(response, target);
        }
    }

    [Fact]
    public async Task Poll_CurrentEpoch_OrNone_ReadsAsBefore_FromSeqOne()
    {
        var (target, _) = await RestartedTargetAsync();
        await using (target)
        {
            var epoch = (await target.InfoAsync()).Epoch;
            var withEpoch = await target.Http.GetStringAsync($"{FeedRoutes.Poll}?after=0&epoch={epoch}");
            var without = await target.Http.GetStringAsync($"{FeedRoutes.Poll}?after=0");

            Assert.Equal(withEpoch, without);
            Assert.Equal([1, 2], JsonDocument.Parse(withEpoch).RootElement.EnumerateArray().Select(e => e.GetProperty("seq").GetInt32()));
        }
    }

    [Fact]
    public async Task LongPoll_StaleEpoch_Returns409Reset()
    {
        var (target, stale) = await RestartedTargetAsync();
        await using (target)
        {
            using var response = await target.Http.GetAsync($"{FeedRoutes.LongPoll}?after=5&timeout=10000&epoch={stale}");

            await AssertResetProblemAsync(response, target);
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task LongPoll_WaitingWhenTheFeedRestarts_Answers409Reset(bool sendEpoch)
    {
        await using var target = await RunningTarget.StartAsync();
        target.Publish(3);
        var epoch = (await target.InfoAsync()).Epoch;
        var query = $"{FeedRoutes.LongPoll}?after=3&timeout=30000" + (sendEpoch ? $"&epoch={epoch}" : "");
        var pending = target.Http.GetAsync(query);
        await Wait.UntilAsync(() => target.Log.WaitingReaders == 1, "the long poll to be waiting (its cursor read)");

        target.Log.Restart();

        using var response = await pending.WaitAsync(Patience);
        await AssertResetProblemAsync(response, target);
    }

    [Fact]
    public async Task Sse_StaleEpoch_SendsOneResetEvent_ThenEnds()
    {
        var (target, stale) = await RestartedTargetAsync();
        await using (target)
        {
            using var response = await target.Http.GetAsync($"{FeedRoutes.Sse}?after=5&epoch={stale}", HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);

            var items = await ReadSseToEndAsync(response);

            var reset = Assert.Single(items);
            Assert.Equal(FeedReset.SseEventType, reset.EventType);
            Assert.Equal($$"""{"epoch":"{{target.Log.Epoch}}","latestSeq":2}""", reset.Data);
            Assert.Null(reset.EventId);
        }
    }

    [Fact]
    public async Task Sse_OpenWhenTheFeedRestarts_GetsTheReset_ThenEnds_AndStartsAgainFromSeqOne()
    {
        await using var target = await RunningTarget.StartAsync();
        var old = target.Publish(2);
        var epoch = (await target.InfoAsync()).Epoch;
        using var response = await target.Http.GetAsync($"{FeedRoutes.Sse}?after=0&epoch={epoch}", HttpCompletionOption.ResponseHeadersRead);
        var reading = ReadSseToEndAsync(response);
        await Wait.UntilAsync(() => target.Stats.Sse.Snapshot().EventsSent == 2, "both events to be sent");

        var newEpoch = target.Log.Restart();

        var items = await reading.WaitAsync(Patience);
        Assert.Equal([.. old, $$"""{"epoch":"{{newEpoch}}","latestSeq":0}"""], items.Select(i => i.Data));
        Assert.Equal(FeedReset.SseEventType, items[^1].EventType);

        var fresh = target.Publish(1);
        using var again = await target.Http.GetAsync($"{FeedRoutes.Sse}?after=0&epoch={newEpoch}", HttpCompletionOption.ResponseHeadersRead);
        await using var stream = await again.Content.ReadAsStreamAsync();
        await using var events = SseParser.Create(stream).EnumerateAsync().GetAsyncEnumerator();
        Assert.True(await events.MoveNextAsync().AsTask().WaitAsync(Patience));
        Assert.Equal((fresh[0], "1"), (events.Current.Data, events.Current.EventId));
    }

    [Fact]
    public async Task WebSocket_StaleEpoch_Closes4409_NamingTheEpoch()
    {
        var (target, stale) = await RestartedTargetAsync();
        await using (target)
        {
            using var socket = new ClientWebSocket();
            await socket.ConnectAsync(target.WebSocketUri($"?after=5&epoch={stale}"), CancellationToken.None);

            Assert.Empty(await ReceiveUntilCloseAsync(socket));
            Assert.Equal(FeedReset.WebSocketCloseStatus, (int)socket.CloseStatus!);
            Assert.Equal("reset epoch=" + target.Log.Epoch, socket.CloseStatusDescription);
        }
    }

    [Fact]
    public async Task WebSocket_OpenWhenTheFeedRestarts_Closes4409()
    {
        await using var target = await RunningTarget.StartAsync();
        var old = target.Publish(2);
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(target.WebSocketUri("?after=0"), CancellationToken.None);
        var receiving = ReceiveUntilCloseAsync(socket);
        await Wait.UntilAsync(() => target.Stats.WebSocket.Snapshot().EventsSent == 2, "both events to be sent");

        var newEpoch = target.Log.Restart();

        Assert.Equal(old, await receiving.WaitAsync(Patience));
        Assert.Equal(FeedReset.WebSocketCloseStatus, (int)socket.CloseStatus!);
        Assert.Equal("reset epoch=" + newEpoch, socket.CloseStatusDescription);
    }

    private static async Task<List<SseItem<string>>> ReadSseToEndAsync(HttpResponseMessage response)
    {
        var items = new List<SseItem<string>>();
        using var timeout = new CancellationTokenSource(Patience);
        await using var stream = await response.Content.ReadAsStreamAsync(timeout.Token);
        await foreach (var item in SseParser.Create(stream).EnumerateAsync(timeout.Token))
        {
            items.Add(item);
        }

        return items;
    }

    private static async Task<List<string>> ReceiveUntilCloseAsync(ClientWebSocket socket)
    {
        var messages = new List<string>();
        var buffer = new byte[64 * 1024];
        using var timeout = new CancellationTokenSource(Patience);
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer.AsMemory(), timeout.Token);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return messages;
            }

            Assert.True(result.EndOfMessage);
            messages.Add(System.Text.Encoding.UTF8.GetString(buffer, 0, result.Count));
        }
    }
}
