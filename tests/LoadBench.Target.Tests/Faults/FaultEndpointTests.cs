using System.Net;
using System.Net.Http.Json;
using System.Net.ServerSentEvents;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using LoadBench.Contracts;
using LoadBench.Target.Tests.TestSupport;

namespace LoadBench.Target.Tests.Faults;

/// <summary>
/// <c>POST</c> and <c>GET /feed/faults</c> on the real target: each kind's effect seen by real clients, with
/// counts the test controls (one abort tick, subscribers it opened), never a race against the clock.
/// </summary>
public sealed class FaultEndpointTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private static async Task<FaultRecord> InjectAsync(RunningTarget target, string body)
    {
        using var response = await target.Http.PostAsync(FeedRoutes.Faults, new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync(ContractsJson.Default.FaultRecord))!;
    }

    private static async Task<IAsyncEnumerator<SseItem<string>>> SubscribeSseAsync(RunningTarget target, string query)
    {
        var response = await target.Http.GetAsync(FeedRoutes.Sse + query, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return SseParser.Create(await response.Content.ReadAsStreamAsync()).EnumerateAsync().GetAsyncEnumerator();
    }

    /// <summary>The next item, or null when the stream ended or was cut (a reset or an abort).</summary>
    private static async Task<SseItem<string>?> NextOrEndAsync(IAsyncEnumerator<SseItem<string>> events)
    {
        try
        {
            return await events.MoveNextAsync().AsTask().WaitAsync(Patience) ? events.Current : null;
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            return null;
        }
    }

    [Fact]
    public async Task Abort_HalfOfFourSubscribers_CutsExactlyTwo_TheOthersKeepReceiving()
    {
        await using var target = await RunningTarget.StartAsync();
        var streams = new List<IAsyncEnumerator<SseItem<string>>>();
        for (var i = 0; i < 4; i++)
        {
            streams.Add(await SubscribeSseAsync(target, "?after=0"));
        }

        await Wait.UntilAsync(() => target.Stats.Sse.Snapshot().OpenConnections == 4, "four subscribers");

        // One second or less: one tick, at once — ⌊0.5 × 4⌋ = 2.
        var record = await InjectAsync(target, """{"kind":"abort","fraction":0.5,"durationMs":1000}""");
        await Wait.UntilAsync(() => target.Stats.Sse.Snapshot().OpenConnections == 2, "two subscribers aborted");
        var published = target.Publish(1);

        var next = await Task.WhenAll(streams.Select(NextOrEndAsync));
        Assert.Equal(2, next.Count(n => n is null));
        Assert.All(next.Where(n => n is not null), n => Assert.Equal(published[0], n!.Value.Data));
        Assert.Equal((1, FaultKinds.Abort, 0.5), (record.Id, record.Kind, record.Fraction));
    }

    [Fact]
    public async Task Stall_EveryStreamingSubscriber_HoldsTheEventsUntilItEnds_ThenDeliversThemAll()
    {
        await using var target = await RunningTarget.StartAsync();
        var sse = await SubscribeSseAsync(target, "?after=0");
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(target.WebSocketUri("?after=0"), CancellationToken.None);
        await Wait.UntilAsync(() => target.Stats.Sse.Snapshot().OpenConnections == 1 && target.Stats.WebSocket.Snapshot().OpenConnections == 1, "both subscribers");

        var record = await InjectAsync(target, """{"kind":"stall","fraction":1,"durationMs":700}""");
        var published = target.Publish(5);

        var sseReceived = new List<(string Data, long AtMicros)>();
        for (var i = 0; i < 5; i++)
        {
            var item = await NextOrEndAsync(sse);
            sseReceived.Add((item!.Value.Data, NowMicros()));
        }

        var wsReceived = await ReceiveAsync(socket, 5);

        Assert.Equal(published, sseReceived.Select(r => r.Data));
        Assert.Equal(published, wsReceived.Select(r => r.Data));
        // Nothing before the stall's end by the target's clock (the same machine's; a timer may fire a hair
        // before the wall clock says so, hence 50 ms). A slow machine only makes them later.
        Assert.All(sseReceived.Concat(wsReceived), r => Assert.True(r.AtMicros >= record.EndUnixMicros - 50_000,
            $"received {(record.EndUnixMicros - r.AtMicros) / 1000} ms before the stall ended"));
    }

    [Fact]
    public async Task Pause_ThePublisherPublishesNothingDuringThePause_ThenGoesOn()
    {
        await using var target = await RunningTarget.StartAsync("--rate", "200");
        await Wait.UntilAsync(() => target.Log.LatestSeq >= 5, "the publisher to run");

        var record = await InjectAsync(target, """{"kind":"pause","durationMs":300}""");
        await Wait.UntilAsync(() => Timestamps(target).Any(ts => ts >= record.EndUnixMicros), "an event after the pause");
        using var stop = await target.Http.PutAsync(FeedRoutes.Settings, new StringContent("""{"ratePerSecond":0}""", Encoding.UTF8, "application/json"));

        var timestamps = Timestamps(target);
        Assert.Contains(timestamps, ts => ts <= record.StartUnixMicros);
        Assert.Contains(timestamps, ts => ts >= record.EndUnixMicros);
        Assert.DoesNotContain(timestamps, ts => ts > record.StartUnixMicros && ts < record.EndUnixMicros);
        Assert.Equal((FaultKinds.Pause, (double?)null, 300_000L), (record.Kind, record.Fraction, record.EndUnixMicros - record.StartUnixMicros));
    }

    [Fact]
    public async Task Restart_WhileSseWebSocketAndLongPollAreOpen_EachGetsTheReset_ThenTheFeedStartsAtSeqOne()
    {
        await using var target = await RunningTarget.StartAsync();
        target.Publish(3);
        var epoch = (await target.InfoAsync()).Epoch;
        var sse = await SubscribeSseAsync(target, $"?after=3&epoch={epoch}");
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(target.WebSocketUri($"?after=3&epoch={epoch}"), CancellationToken.None);
        var longPoll = target.Http.GetAsync($"{FeedRoutes.LongPoll}?after=3&timeout=30000&epoch={epoch}");
        await Wait.UntilAsync(() => target.Stats.Sse.Snapshot().OpenConnections == 1 && target.Stats.WebSocket.Snapshot().OpenConnections == 1
            && target.Stats.LongPolling.Snapshot().OpenConnections == 1, "three followers");

        await InjectAsync(target, """{"kind":"restart"}""");

        var info = await target.InfoAsync();
        Assert.NotEqual(epoch, info.Epoch);
        var reset = await NextOrEndAsync(sse);
        Assert.Equal((FeedReset.SseEventType, $$"""{"epoch":"{{info.Epoch}}","latestSeq":0}"""), (reset!.Value.EventType, reset.Value.Data));
        Assert.Null(await NextOrEndAsync(sse));
        Assert.Empty(await ReceiveAsync(socket, 1));
        Assert.Equal((FeedReset.WebSocketCloseStatus, "reset epoch=" + info.Epoch), ((int)socket.CloseStatus!, socket.CloseStatusDescription));
        using var answer = await longPoll.WaitAsync(Patience);
        var problem = await Problems.AssertProblemAsync(answer, HttpStatusCode.Conflict);
        Assert.Equal(info.Epoch, problem.GetProperty("epoch").GetString());

        // Starting again from after=0 with the new epoch: seq 1, 2.
        var fresh = target.Publish(2);
        Assert.Equal("[" + string.Join(",", fresh) + "]", await target.Http.GetStringAsync($"{FeedRoutes.Poll}?after=0&epoch={info.Epoch}"));
        Assert.Contains("\"seq\":1,", fresh[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task DropAll_AbortsEveryFeedConnection_AndGetListsEveryFaultInOrder()
    {
        await using var target = await RunningTarget.StartAsync();
        var streams = new[] { await SubscribeSseAsync(target, "?after=0"), await SubscribeSseAsync(target, "?after=0") };
        await Wait.UntilAsync(() => target.Stats.Sse.Snapshot().OpenConnections == 2, "two subscribers");

        await InjectAsync(target, """{"kind":"drop-all"}""");
        await InjectAsync(target, """{"kind":"pause","durationMs":1}""");

        Assert.All(await Task.WhenAll(streams.Select(NextOrEndAsync)), Assert.Null);
        var records = await target.Http.GetFromJsonAsync(FeedRoutes.Faults, ContractsJson.Default.FaultRecordArray);
        Assert.Equal([(1, FaultKinds.DropAll), (2, FaultKinds.Pause)], records!.Select(r => (r.Id, r.Kind)));
    }

    [Theory]
    [InlineData("", "Malformed fault", null)]
    [InlineData("null", "Malformed fault", null)]
    [InlineData("""{"kind":"abort","fraction":"lots","durationMs":1000}""", "Malformed fault", null)]
    [InlineData("""{"kind":"abort","fraction":0.1,"durationMs":1000,"everySecond":true}""", "Malformed fault", null)]
    [InlineData("""{"kind":"pause","durationMs":1.5}""", "Malformed fault", null)]
    [InlineData("""{}""", "Invalid 'kind'", "kind")]
    [InlineData("""{"kind":"explode"}""", "Invalid 'kind'", "kind")]
    [InlineData("""{"kind":"abort","durationMs":1000}""", "Invalid 'fraction'", "fraction")]
    [InlineData("""{"kind":"abort","fraction":0,"durationMs":1000}""", "Invalid 'fraction'", "fraction")]
    [InlineData("""{"kind":"stall","fraction":1.5,"durationMs":1000}""", "Invalid 'fraction'", "fraction")]
    [InlineData("""{"kind":"stall","fraction":0.5}""", "Invalid 'durationMs'", "durationMs")]
    [InlineData("""{"kind":"abort","fraction":0.5,"durationMs":0}""", "Invalid 'durationMs'", "durationMs")]
    [InlineData("""{"kind":"pause","durationMs":3600001}""", "Invalid 'durationMs'", "durationMs")]
    [InlineData("""{"kind":"pause","fraction":0.5,"durationMs":100}""", "Invalid 'fraction'", "fraction")]
    [InlineData("""{"kind":"restart","durationMs":100}""", "Invalid 'durationMs'", "durationMs")]
    [InlineData("""{"kind":"drop-all","fraction":1}""", "Invalid 'fraction'", "fraction")]
    public async Task Post_InvalidFault_Returns400Problem_NamingTheField_AndInjectsNothing(string body, string title, string? parameter)
    {
        await using var target = await RunningTarget.StartAsync();
        var epoch = (await target.InfoAsync()).Epoch;

        using var response = await target.Http.PostAsync(FeedRoutes.Faults, new StringContent(body, Encoding.UTF8, "application/json"));

        var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(title, problem.GetProperty("title").GetString());
        if (parameter is not null)
        {
            Assert.Equal(parameter, problem.GetProperty("parameter").GetString());
        }

        Assert.Equal("[]", await target.Http.GetStringAsync(FeedRoutes.Faults));
        Assert.Equal(epoch, (await target.InfoAsync()).Epoch);
    }

    [Fact]
    public async Task Post_UnknownField_NamesItInTheDetail()
    {
        await using var target = await RunningTarget.StartAsync();

        using var response = await target.Http.PostAsync(FeedRoutes.Faults, new StringContent("""{"kind":"restart","everySecond":true}""", Encoding.UTF8, "application/json"));

        var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("everySecond", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    private static List<long> Timestamps(RunningTarget target) =>
        [.. target.Log.Read(0, 10_000).Events.Select(e => JsonDocument.Parse(e.Json).RootElement.GetProperty("ts").GetInt64())];

    private static long NowMicros() => (DateTimeOffset.UtcNow.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;

    /// <summary>Text messages with their arrival time, until <paramref name="count"/> or the close.</summary>
    private static async Task<List<(string Data, long AtMicros)>> ReceiveAsync(ClientWebSocket socket, int count)
    {
        var messages = new List<(string, long)>();
        var buffer = new byte[64 * 1024];
        using var timeout = new CancellationTokenSource(Patience);
        while (messages.Count < count)
        {
            var result = await socket.ReceiveAsync(buffer.AsMemory(), timeout.Token);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                break;
            }

            Assert.True(result.EndOfMessage);
            messages.Add((Encoding.UTF8.GetString(buffer, 0, result.Count), NowMicros()));
        }

        return messages;
    }
}
