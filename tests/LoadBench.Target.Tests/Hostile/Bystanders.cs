using System.Net;
using System.Net.ServerSentEvents;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using LoadBench.Contracts;
using LoadBench.Target.Tests.TestSupport;

namespace LoadBench.Target.Tests.Hostile;

/// <summary>
/// Well-behaved clients of every transport, subscribed before a hostile case runs: an SSE stream, a WebSocket,
/// a waiting long poll and a short-poll cursor. Afterwards each must still get exactly the events published
/// then — the proof that a rejection hurt no one else.
/// </summary>
internal sealed class Bystanders : IAsyncDisposable
{
    private readonly HttpClient _http;
    private readonly HttpResponseMessage _sse;
    private readonly IAsyncEnumerator<SseItem<string>> _sseEvents;
    private readonly ClientWebSocket _webSocket;
    private readonly Task<HttpResponseMessage> _longPoll;
    private readonly long _after;

    private Bystanders(HttpClient http, HttpResponseMessage sse, IAsyncEnumerator<SseItem<string>> sseEvents,
        ClientWebSocket webSocket, Task<HttpResponseMessage> longPoll, long after)
    {
        _http = http;
        _sse = sse;
        _sseEvents = sseEvents;
        _webSocket = webSocket;
        _longPoll = longPoll;
        _after = after;
    }

    public static async Task<Bystanders> SubscribeAsync(RunningTarget target)
    {
        target.Publish(1);
        var after = target.Log.LatestSeq;
        // Their own client: the hostile case may use target.Http, and a long poll holds its connection.
        var http = new HttpClient { BaseAddress = target.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        var sse = await http.GetAsync($"{FeedRoutes.Sse}?after={after}", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, sse.StatusCode);
        var sseEvents = SseParser.Create(await sse.Content.ReadAsStreamAsync()).EnumerateAsync().GetAsyncEnumerator();
        var webSocket = new ClientWebSocket();
        await webSocket.ConnectAsync(target.WebSocketUri($"?after={after}"), CancellationToken.None);
        var longPoll = http.GetAsync($"{FeedRoutes.LongPoll}?after={after}&timeout=20000");
        await Wait.UntilAsync(() => target.Stats.Snapshot().Transports[TransportIds.LongPolling].OpenConnections == 1, "the long poll to wait");
        return new Bystanders(http, sse, sseEvents, webSocket, longPoll, after);
    }

    /// <summary>Publishes three events; every bystander must get exactly them, and <c>/feed/info</c> must answer.</summary>
    public async Task AssertStillServedAsync(RunningTarget target)
    {
        var published = target.Publish(3);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));

        var sseData = new List<string>();
        while (sseData.Count < 3 && await _sseEvents.MoveNextAsync().AsTask().WaitAsync(timeout.Token))
        {
            sseData.Add(_sseEvents.Current.Data);
        }

        Assert.Equal(published, sseData);
        Assert.Equal(published, await ReceiveWebSocketAsync(3, timeout.Token));

        using var longPoll = await _longPoll.WaitAsync(timeout.Token);
        Assert.Equal(HttpStatusCode.OK, longPoll.StatusCode);
        var longPolled = Elements(await longPoll.Content.ReadAsStringAsync(timeout.Token));
        Assert.Equal(published.Take(longPolled.Count), longPolled);
        Assert.NotEmpty(longPolled);

        var polled = Elements(await _http.GetStringAsync($"{FeedRoutes.Poll}?after={_after}", timeout.Token));
        Assert.Equal(published, polled);

        var info = await target.InfoAsync(timeout.Token);
        Assert.Equal(_after + 3, info.LatestSeq);
    }

    public async ValueTask DisposeAsync()
    {
        _webSocket.Abort();
        _webSocket.Dispose();
        await _sseEvents.DisposeAsync();
        _sse.Dispose();
        _http.Dispose();
    }

    private async Task<List<string>> ReceiveWebSocketAsync(int count, CancellationToken cancellationToken)
    {
        var messages = new List<string>();
        var buffer = new byte[64 * 1024];
        while (messages.Count < count)
        {
            var result = await _webSocket.ReceiveAsync(buffer.AsMemory(), cancellationToken);
            Assert.Equal(WebSocketMessageType.Text, result.MessageType);
            Assert.True(result.EndOfMessage);
            messages.Add(Encoding.UTF8.GetString(buffer, 0, result.Count));
        }

        return messages;
    }

    /// <summary>A poll answer's events, each exactly as the target wrote it.</summary>
    private static List<string> Elements(string array) =>
        [.. JsonDocument.Parse(array).RootElement.EnumerateArray().Select(e => e.GetRawText())];
}
