using System.Net.ServerSentEvents;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using LoadBench.Contracts;

namespace LoadBench.Target.Tests.TestSupport;

/// <summary>
/// One SSE or WebSocket subscriber on its own socket, for slow-consumer tests: it can leave its socket unread
/// (a stalled reader: with a 4 KB receive buffer, so the target's writes block after a few events instead of
/// after the megabytes loopback would otherwise buffer) and later read what came, or read all along.
/// What it read: the seqs of the events, then how the stream ended (an SSE event type and its data, or a
/// WebSocket close status and description).
/// </summary>
internal sealed class FeedSubscriber : IAsyncDisposable
{
    private readonly HttpClient? _http;
    private readonly HttpResponseMessage? _response;
    private readonly IAsyncEnumerator<SseItem<string>>? _sse;
    private readonly ClientWebSocket? _socket;
    private readonly HttpMessageInvoker? _invoker;
    private readonly List<long> _seqs = [];
    private readonly Lock _lock = new();
    private Task? _reading;

    private FeedSubscriber(HttpClient http, HttpResponseMessage response, IAsyncEnumerator<SseItem<string>> sse)
    {
        _http = http;
        _response = response;
        _sse = sse;
    }

    private FeedSubscriber(ClientWebSocket socket, HttpMessageInvoker invoker)
    {
        _socket = socket;
        _invoker = invoker;
    }

    /// <summary>The seqs read so far, in order.</summary>
    public IReadOnlyList<long> Seqs
    {
        get
        {
            lock (_lock)
            {
                return [.. _seqs];
            }
        }
    }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _seqs.Count;
            }
        }
    }

    /// <summary>SSE: the type of the final non-message event (<c>too-slow</c>, <c>gone</c>); null when none came.</summary>
    public string? EndEventType { get; private set; }

    /// <summary>SSE: the data of that final event.</summary>
    public string? EndEventData { get; private set; }

    /// <summary>WebSocket: the close status the target sent; null when the connection ended without one.</summary>
    public WebSocketCloseStatus? CloseStatus { get; private set; }

    public string? CloseDescription { get; private set; }

    /// <summary>The read ended with an error (a reset) rather than an end of stream or a close frame.</summary>
    public bool EndedByError { get; private set; }

    public static async Task<FeedSubscriber> SseAsync(Uri baseAddress, string query)
    {
        var http = new HttpClient(SmallReceiveBuffer()) { BaseAddress = baseAddress, Timeout = Timeout.InfiniteTimeSpan };
        var response = await http.GetAsync(FeedRoutes.Sse + query, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        var stream = await response.Content.ReadAsStreamAsync();
        return new FeedSubscriber(http, response, SseParser.Create(stream).EnumerateAsync().GetAsyncEnumerator());
    }

    public static async Task<FeedSubscriber> WebSocketAsync(Uri baseAddress, string query)
    {
        var invoker = new HttpMessageInvoker(SmallReceiveBuffer());
        var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri($"ws://{baseAddress.Authority}{FeedRoutes.WebSocket}{query}"), invoker, CancellationToken.None);
        return new FeedSubscriber(socket, invoker);
    }

    /// <summary>Starts reading in the background until the stream ends (a normal subscriber).</summary>
    public void StartReading() => _reading = Task.Run(ReadLoopAsync);

    /// <summary>Reads (or waits for the background read) until the stream ends, for at most <paramref name="timeout"/>.</summary>
    public async Task ReadToEndAsync(TimeSpan timeout)
    {
        _reading ??= Task.Run(ReadLoopAsync);
        await _reading.WaitAsync(timeout);
    }

    private async Task ReadLoopAsync()
    {
        try
        {
            if (_sse is not null)
            {
                await ReadSseAsync(_sse);
            }
            else
            {
                await ReadWebSocketAsync(_socket!);
            }
        }
        catch (Exception e) when (e is IOException or HttpRequestException or WebSocketException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            EndedByError = true;
        }
    }

    private async Task ReadSseAsync(IAsyncEnumerator<SseItem<string>> events)
    {
        while (await events.MoveNextAsync())
        {
            var item = events.Current;
            if (item.EventType != SseParser.EventTypeDefault)
            {
                EndEventType = item.EventType;
                EndEventData = item.Data;
                continue;
            }

            Add(item.Data);
        }
    }

    private async Task ReadWebSocketAsync(ClientWebSocket socket)
    {
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer.AsMemory(), CancellationToken.None);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                CloseStatus = socket.CloseStatus;
                CloseDescription = socket.CloseStatusDescription;
                return;
            }

            message.Write(buffer, 0, result.Count);
            if (result.EndOfMessage)
            {
                Add(Encoding.UTF8.GetString(message.GetBuffer(), 0, (int)message.Length));
                message.SetLength(0);
            }
        }
    }

    private void Add(string json)
    {
        using var document = JsonDocument.Parse(json);
        var seq = document.RootElement.GetProperty("seq").GetInt64();
        lock (_lock)
        {
            _seqs.Add(seq);
        }
    }

    /// <summary>A 4 KB receive buffer, set before connecting so the kernel does not grow it: a stalled reader
    /// fills up after kilobytes, not the megabytes loopback's autotuning would take.</summary>
    private static SocketsHttpHandler SmallReceiveBuffer() => new()
    {
        ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096, NoDelay = true };
            try
            {
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };

    public async ValueTask DisposeAsync()
    {
        if (_sse is not null)
        {
            _response!.Dispose();
            _http!.Dispose();
        }

        _socket?.Abort();
        _socket?.Dispose();
        _invoker?.Dispose();
        if (_reading is not null)
        {
            await _reading.WaitAsync(TimeSpan.FromSeconds(10));
        }

        if (_sse is not null)
        {
            try
            {
                await _sse.DisposeAsync();
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException)
            {
            }
        }
    }
}
