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
/// <para>
/// Nothing is armed or registered per request, as in wrk's event loop (scenarios/bench/poll-vs-wrk.sh): the socket
/// calls take no token (a cancellable token costs a registration per pending receive), the caller's token is
/// registered once per connection and closes the socket when it fires, and the timeout is a deadline (a
/// timestamp written per request) that one periodic <see cref="ITimer"/> of the client's clock checks, closing
/// the socket of a request past it. That timer ticks every quarter of the timeout, so a request times out between
/// 1 and 1.25 timeouts after it started; a per-request <c>CancelAfter</c> was exact, but cost two timer-queue
/// updates (arm and disarm, each under the queue's lock) and two token registrations for every poll.
/// </para>
/// </remarks>
internal sealed class KeepAliveConnection : IDisposable
{
    private const long Idle = 0;
    private const long Expired = -1;

    private readonly string _host;
    private readonly int _port;
    private readonly WireMeter _meter;
    private readonly TimeSpan _timeout;
    private readonly long _timeoutTimestampTicks;
    private readonly TimeProvider _time;
    private readonly ConnectionPolicy? _policy;
    private ITimer? _watchdog;
    private HttpMessageScanner _responses = new(isResponse: true);
    private Socket? _socket;
    private byte[] _buffer = new byte[4096];
    private bool _reused;

    // The request in flight, for the watchdog: its number (from 1), Idle between requests, Expired once the
    // watchdog closed its socket. Only the request path counts _requestNumber up.
    private long _requestNumber;
    private long _inFlight;
    private long _deadline;

    private CancellationToken _watchedToken;
    private CancellationTokenRegistration _watchedRegistration;

    /// <param name="host">Loopback host (<c>127.0.0.1</c>, <c>[::1]</c>, <c>localhost</c>); anything else is refused at
    /// connect unless <paramref name="policy"/> allows it.</param>
    /// <param name="port">TCP port.</param>
    /// <param name="meter">The client's byte meter: every byte read and written is reported to it.</param>
    /// <param name="timeout">Longest time for one request, connect included; then <see cref="TimeoutException"/>
    /// (noticed within a quarter of it more).</param>
    /// <param name="time">The clock <paramref name="timeout"/> runs on: the client's.</param>
    /// <param name="policy">Non-loopback targets and source addresses (<see cref="ConnectionPolicy"/>); null: loopback only.</param>
    public KeepAliveConnection(string host, int port, WireMeter meter, TimeSpan timeout, TimeProvider time, ConnectionPolicy? policy = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        _policy = policy;
        _host = host;
        _port = port;
        _meter = meter;
        _timeout = timeout;
        _time = time;
        _timeoutTimestampTicks = (long)Math.Min(timeout.TotalSeconds * time.TimestampFrequency, long.MaxValue / 4);
    }

    /// <summary>How often the watchdog looks at the request in flight: a quarter of the timeout (1 ms at least).</summary>
    internal static TimeSpan WatchPeriod(TimeSpan timeout) => TimeSpan.FromTicks(Math.Max(timeout.Ticks / 4, TimeSpan.TicksPerMillisecond));

    /// <summary>
    /// Sends <paramref name="requestHead"/> (a complete request head without body) and reads the whole response.
    /// The returned body is a view of this connection's buffer, valid until the next call. Throws
    /// <see cref="SocketException"/>, <see cref="HttpIOException"/> (the response ended early or broke the
    /// protocol), <see cref="TimeoutException"/> or, once <paramref name="cancellationToken"/> fired,
    /// <see cref="OperationCanceledException"/>; after any exception the connection is closed and the next call
    /// opens a new one.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<KeepAliveResponse> GetAsync(ReadOnlyMemory<byte> requestHead, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        WatchToken(cancellationToken);
        var number = ++_requestNumber;
        Volatile.Write(ref _deadline, _time.GetTimestamp() + _timeoutTimestampTicks);
        Volatile.Write(ref _inFlight, number);
        _watchdog ??= _time.CreateTimer(static state => ((KeepAliveConnection)state!).CheckDeadline(), this, WatchPeriod(_timeout), WatchPeriod(_timeout));
        try
        {
            var reconnected = false;
            if (_socket is null)
            {
                await ConnectAsync(cancellationToken);
            }

            var response = await TryExchangeAsync(requestHead);
            if (response is null)
            {
                // A closed socket is also what the token's registration leaves: that is the end, not a reconnect.
                cancellationToken.ThrowIfCancellationRequested();
                Close();
                await ConnectAsync(cancellationToken);
                reconnected = true;
                response = await TryExchangeAsync(requestHead)
                    ?? throw new HttpIOException(HttpRequestError.ResponseEnded, "The target closed a new connection before answering.");
            }

            if (Interlocked.Exchange(ref _inFlight, Idle) == Expired)
            {
                // The watchdog closed the socket just as the answer completed: the answer stands, the next call reconnects.
                Close();
            }

            _reused = true;
            return response.Value with { Reconnected = reconnected };
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var expired = Interlocked.Exchange(ref _inFlight, Idle) == Expired;
            Close();
            if (cancellationToken.IsCancellationRequested)
            {
                // The token's registration closed the socket under the pending call.
                throw new OperationCanceledException("The request was cancelled.", e, cancellationToken);
            }

            if (expired || e is OperationCanceledException)
            {
                throw new TimeoutException($"No complete response within {_timeout.TotalSeconds:0.###} s.", e);
            }

            throw;
        }
        catch
        {
            Interlocked.Exchange(ref _inFlight, Idle);
            Close();
            throw;
        }
    }

    /// <summary>Registers <paramref name="cancellationToken"/> to close the socket, once per distinct token: a
    /// client passes the same phase token to every request.</summary>
    private void WatchToken(CancellationToken cancellationToken)
    {
        if (!cancellationToken.CanBeCanceled || cancellationToken == _watchedToken)
        {
            return;
        }

        _watchedRegistration.Dispose();
        _watchedToken = cancellationToken;
        _watchedRegistration = cancellationToken.UnsafeRegister(static state => ((KeepAliveConnection)state!).Abort(), this);
    }

    /// <summary>The watchdog's tick: closes the socket of a request past its deadline. Runs on a timer thread,
    /// beside the request path; the compare-exchange on the request's number makes sure it closes only the
    /// request it read the deadline for.</summary>
    private void CheckDeadline()
    {
        var number = Volatile.Read(ref _inFlight);
        if (number <= Idle || _time.GetTimestamp() < Volatile.Read(ref _deadline))
        {
            return;
        }

        if (Interlocked.CompareExchange(ref _inFlight, Expired, number) == number)
        {
            Abort();
        }
    }

    /// <summary>Closes the current socket from another thread: the pending send or receive fails at once.</summary>
    private void Abort() => Volatile.Read(ref _socket)?.Dispose();

    /// <summary>One request and its response on the current socket; null when a reused connection was found
    /// closed before any byte of the response (the caller tries once more on a new connection).</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<KeepAliveResponse?> TryExchangeAsync(ReadOnlyMemory<byte> requestHead)
    {
        var socket = _socket!;
        try
        {
            // One send per request: on loopback it always takes the whole head at once, the loop is for the rest.
            for (var sent = 0; sent < requestHead.Length;)
            {
                var n = await socket.SendAsync(requestHead[sent..], SocketFlags.None);
                // A request without a body is all head.
                _meter.OnWritten(n, n);
                sent += n;
            }
        }
        catch (SocketException) when (_reused && Volatile.Read(ref _inFlight) > Idle)
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
                read = await socket.ReceiveAsync(_buffer.AsMemory(filled), SocketFlags.None);
            }
            catch (SocketException) when (_reused && filled == 0 && Volatile.Read(ref _inFlight) > Idle)
            {
                return null;
            }

            if (read == 0)
            {
                return _reused && filled == 0
                    ? null
                    : throw new HttpIOException(HttpRequestError.ResponseEnded, "The target closed the connection before the response ended.");
            }

            heads += AnswerReads.Take(_responses, _meter, _buffer.AsSpan(filled, read));
            filled += read;
        }

        // Heads come first (an interim 1xx, then the final one); everything after them is the body.
        return new KeepAliveResponse(_responses.Status, _buffer.AsMemory(heads, filled - heads), _responses.Chunked, Reconnected: false)
        {
            Coding = _responses.Coding,
        };
    }

    /// <summary>Opens the socket. Connects are rare, so this one may allocate: a source that fires at the request's
    /// deadline (the watchdog cannot close a socket that does not exist yet) linked to the caller's token.</summary>
    private async ValueTask ConnectAsync(CancellationToken cancellationToken)
    {
        var left = _time.GetElapsedTime(_time.GetTimestamp(), Volatile.Read(ref _deadline));
        using var timeout = new CancellationTokenSource(left > TimeSpan.Zero ? left : TimeSpan.FromTicks(1), _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        Socket socket;
        try
        {
            socket = await LoopbackConnector.ConnectSocketAsync(_host, _port, _policy, linked.Token);
        }
        catch (OperationCanceledException e) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException("The connect was cancelled.", e, cancellationToken);
        }

        Volatile.Write(ref _socket, socket);
        _responses = new HttpMessageScanner(isResponse: true);
        _reused = false;
        if (Volatile.Read(ref _inFlight) == Expired || cancellationToken.IsCancellationRequested)
        {
            // The watchdog or the token fired while the socket did not exist yet: nothing closed it.
            Abort();
            cancellationToken.ThrowIfCancellationRequested();
            throw new OperationCanceledException("The connect outlived the request's deadline.");
        }
    }

    private void Close()
    {
        Volatile.Read(ref _socket)?.Dispose();
        Volatile.Write(ref _socket, null);
    }

    public void Dispose()
    {
        _watchdog?.Dispose();
        _watchedRegistration.Dispose();
        Close();
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
