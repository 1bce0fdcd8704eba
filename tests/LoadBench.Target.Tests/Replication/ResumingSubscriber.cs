using System.Net.ServerSentEvents;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace LoadBench.Target.Tests.Replication;

/// <summary>
/// A test subscriber that behaves as a push client should behind a proxy: it follows the feed over SSE (resuming
/// with <c>Last-Event-ID</c>) or WebSocket (resuming with <c>after</c>), and whenever its connection ends it connects
/// again — wherever the proxy sends it — from the last seq it holds. It keeps every event's JSON as received, so
/// a test sees each loss, duplicate or changed byte. Every loop is bounded in time.
/// </summary>
internal sealed class ResumingSubscriber
{
    private readonly List<string> _received = [];
    private readonly Func<long, CancellationToken, IAsyncEnumerable<string>> _connect;

    private ResumingSubscriber(Func<long, CancellationToken, IAsyncEnumerable<string>> connect) => _connect = connect;

    public int Connections { get; private set; }

    public IReadOnlyList<string> Received
    {
        get
        {
            lock (_received)
            {
                return [.. _received];
            }
        }
    }

    public long LastSeq { get; private set; }

    public static ResumingSubscriber Sse(HttpClient http) => new((after, ct) => SseAsync(http, after, ct));

    public static ResumingSubscriber WebSocket(Func<long, Uri> uri) => new((after, ct) => WebSocketAsync(uri(after), ct));

    /// <summary>Follows from <paramref name="after"/> until it holds <paramref name="untilSeq"/> (or 30 s pass).</summary>
    public async Task RunAsync(long after, long untilSeq)
    {
        LastSeq = after;
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (LastSeq < untilSeq && !deadline.IsCancellationRequested)
        {
            try
            {
                Connections++;
                await foreach (var json in _connect(LastSeq, deadline.Token))
                {
                    lock (_received)
                    {
                        _received.Add(json);
                    }

                    LastSeq = Seq(json);
                    if (LastSeq >= untilSeq)
                    {
                        return;
                    }
                }
            }
            catch (Exception e) when (e is HttpRequestException or IOException or WebSocketException or OperationCanceledException)
            {
                // The replica went away mid-stream (or refused): connect again below, from the last seq held.
            }

            if (!deadline.IsCancellationRequested)
            {
                await Task.Delay(50);
            }
        }
    }

    public static long Seq(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.GetProperty("seq").GetInt64();
    }

    private static async IAsyncEnumerable<string> SseAsync(HttpClient http, long after, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/feed/sse?after=0");
        // Last-Event-ID wins over after: the way a browser resumes.
        request.Headers.Add("Last-Event-ID", after.ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        response.EnsureSuccessStatusCode();
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        await foreach (var item in SseParser.Create(stream).EnumerateAsync(cancellationToken))
        {
            if (item.EventType != "message")
            {
                throw new IOException($"event: {item.EventType} {item.Data}");
            }

            yield return item.Data;
        }
    }

    private static async IAsyncEnumerable<string> WebSocketAsync(Uri uri, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(uri, cancellationToken);
        var buffer = new byte[64 * 1024];
        while (true)
        {
            var message = new MemoryStream();
            WebSocketReceiveResult result;
            do
            {
                result = await socket.ReceiveAsync(buffer, cancellationToken);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    yield break;
                }

                message.Write(buffer, 0, result.Count);
            }
            while (!result.EndOfMessage);

            yield return Encoding.UTF8.GetString(message.ToArray());
        }
    }
}
