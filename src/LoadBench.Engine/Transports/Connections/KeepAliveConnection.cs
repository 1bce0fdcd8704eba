using System.Net.Sockets;
using System.Runtime.CompilerServices;
using LoadBench.Engine.Metrics;

namespace LoadBench.Engine.Transports.Connections;

/// <summary>
/// One keep-alive HTTP/1.1 connection for GET requests without a body, written straight on a socket: the
/// caller's prebuilt request head goes out as is, and the response is read into one reusable buffer until
/// the connection's <see cref="HttpMessageScanner"/> says the message ended. The same scanner counts the head
/// bytes for the client's <see cref="WireMeter"/>, so where the client thinks a response ends and what it
/// counts as headers cannot disagree.
/// </summary>
/// <remarks>
/// Why not HttpClient: polling is the one transport where the client's cost per request caps the measurement
/// (tens of thousands of requests per second on two cores shared with the target). HttpClient builds request
/// and response messages, header collections and a content stream per request; this builds none, and once its
/// buffer has grown to the largest response it allocates nothing per request. It does what the polling
/// transports need and no more: no request bodies, redirects, decompression or pipelining, and a response
/// body must be delimited by Content-Length or chunked encoding (what Kestrel sends), not by the close.
/// Like HttpClient it sends a request once more on a fresh connection when a reused one turns out to have
/// been closed by the target before any byte of the answer came back (an idle keep-alive connection the
/// server dropped); the caller counts that as a reconnect.
/// </remarks>
internal sealed class KeepAliveConnection : IDisposable
{
    private readonly string _host;
    private readonly int _port;
    private readonly WireMeter _meter;
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _time;
    private readonly ConnectionPolicy? _policy;
    private CancellationTokenSource _timeoutSource;
    private HttpMessageScanner _responses = new(isResponse: true);
    private Socket? _socket;
    private byte[] _buffer = new byte[4096];
    private bool _reused;

    /// <param name="host">Loopback host (<c>127.0.0.1</c>, <c>[::1]</c>, <c>localhost</c>); anything else is refused at
    /// connect unless <paramref name="policy"/> allows it.</param>
    /// <param name="port">TCP port.</param>
    /// <param name="meter">The client's byte meter: every byte read and written is reported to it.</param>
    /// <param name="timeout">Longest time for one request, connect included; then <see cref="TimeoutException"/>.</param>
    /// <param name="time">The clock <paramref name="timeout"/> runs on: the client's.</param>
    /// <param name="policy">Non-loopback targets and source addresses (<see cref="ConnectionPolicy"/>); null: loopback only.</param>
    public KeepAliveConnection(string host, int port, WireMeter meter, TimeSpan timeout, TimeProvider time, ConnectionPolicy? policy = null)
    {
        _policy = policy;
        _host = host;
        _port = port;
        _meter = meter;
        _timeout = timeout;
        _time = time;
        _timeoutSource = NewTimeoutSource();
    }

    /// <summary>
    /// Sends <paramref name="requestHead"/> (a complete request head without body) and reads the whole response.
    /// The returned body is a view of this connection's buffer, valid until the next call. Throws
    /// <see cref="SocketException"/>, <see cref="HttpIOException"/> (the response ended early or broke the
    /// protocol) or <see cref="TimeoutException"/>; after any exception the connection is closed and the next
    /// call opens a new one.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<KeepAliveResponse> GetAsync(ReadOnlyMemory<byte> requestHead, CancellationToken cancellationToken)
    {
        try
        {
            _timeoutSource.CancelAfter(_timeout);
            using (cancellationToken.UnsafeRegister(static source => ((CancellationTokenSource)source!).Cancel(), _timeoutSource))
            {
                var token = _timeoutSource.Token;
                var reconnected = false;
                if (_socket is null)
                {
                    await ConnectAsync(token);
                }

                var response = await TryExchangeAsync(requestHead, token);
                if (response is null)
                {
                    Close();
                    await ConnectAsync(token);
                    reconnected = true;
                    response = await TryExchangeAsync(requestHead, token)
                        ?? throw new HttpIOException(HttpRequestError.ResponseEnded, "The target closed a new connection before answering.");
                }

                _reused = true;
                return response.Value with { Reconnected = reconnected };
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            Close();
            throw new TimeoutException($"No complete response within {_timeout.TotalSeconds:0.###} s.");
        }
        catch
        {
            Close();
            throw;
        }
        finally
        {
            if (!_timeoutSource.TryReset())
            {
                _timeoutSource.Dispose();
                _timeoutSource = NewTimeoutSource();
            }
        }
    }

    /// <summary>A source whose <see cref="CancellationTokenSource.CancelAfter(TimeSpan)"/> runs on <see cref="_time"/>:
    /// only a source made with a provider keeps its timer on that provider (a plain one makes a system timer).</summary>
    private CancellationTokenSource NewTimeoutSource() => new(Timeout.InfiniteTimeSpan, _time);

    /// <summary>One request and its response on the current socket; null when a reused connection was found
    /// closed before any byte of the response (the caller tries once more on a new connection).</summary>
    private async ValueTask<KeepAliveResponse?> TryExchangeAsync(ReadOnlyMemory<byte> requestHead, CancellationToken token)
    {
        var socket = _socket!;
        try
        {
            for (var sent = 0; sent < requestHead.Length;)
            {
                var n = await socket.SendAsync(requestHead[sent..], SocketFlags.None, token);
                // A request without a body is all head.
                _meter.OnWritten(n, n);
                sent += n;
            }
        }
        catch (SocketException) when (_reused)
        {
            return null;
        }

        var completed = _responses.CompletedMessages;
        var filled = 0;
        var heads = 0;
        while (_responses.CompletedMessages == completed)
        {
            if (filled == _buffer.Length)
            {
                Array.Resize(ref _buffer, _buffer.Length * 2);
            }

            int read;
            try
            {
                read = await socket.ReceiveAsync(_buffer.AsMemory(filled), SocketFlags.None, token);
            }
            catch (SocketException) when (_reused && filled == 0)
            {
                return null;
            }

            if (read == 0)
            {
                return _reused && filled == 0
                    ? null
                    : throw new HttpIOException(HttpRequestError.ResponseEnded, "The target closed the connection before the response ended.");
            }

            var encodedBefore = _responses.EncodedBodyBytes;
            var head = _responses.ScanMessage(_buffer.AsSpan(filled, read), out var consumed);
            _meter.OnRead(read, head, _responses.EncodedBodyBytes - encodedBefore);
            heads += head;
            filled += read;
            if (consumed != read)
            {
                // Nothing may follow the answer to the one request in flight (no pipelining, no pushes).
                throw new HttpIOException(HttpRequestError.InvalidResponse, "The target sent bytes after the end of the response.");
            }
        }

        // Heads come first (an interim 1xx, then the final one); everything after them is the body.

        return new KeepAliveResponse(_responses.Status, _buffer.AsMemory(heads, filled - heads), _responses.Chunked, Reconnected: false)
        {
            Coding = _responses.Coding,
        };
    }

    private async ValueTask ConnectAsync(CancellationToken token)
    {
        _socket = await LoopbackConnector.ConnectSocketAsync(_host, _port, _policy, token);
        _responses = new HttpMessageScanner(isResponse: true);
        _reused = false;
    }

    private void Close()
    {
        _socket?.Dispose();
        _socket = null;
    }

    public void Dispose()
    {
        Close();
        _timeoutSource.Dispose();
    }
}

/// <summary>A complete response read by <see cref="KeepAliveConnection"/>.</summary>
/// <param name="Status">The final status code.</param>
/// <param name="Body">The body bytes as on the wire (chunk lines included when <paramref name="Chunked"/>);
/// a view of the connection's buffer, valid until its next request.</param>
/// <param name="Chunked">Whether the body came in chunked encoding.</param>
/// <param name="Reconnected">Whether the request had to be sent again on a new connection because the reused
/// one had been closed by the target.</param>
internal readonly record struct KeepAliveResponse(int Status, ReadOnlyMemory<byte> Body, bool Chunked, bool Reconnected)
{
    /// <summary>The body's Content-Encoding (the body above is still encoded).</summary>
    public ContentCoding Coding { get; init; }
}
