using System.Net;
using System.Net.Sockets;
using LoadBench.Engine.Metrics;

namespace LoadBench.Engine.Transports.Connections.EventLoop;

/// <summary>What a <see cref="LoopKeepAliveConnection"/> tells its owner, on the loop's thread (or, for a request that
/// fails before its socket is registered, on the thread that called <see cref="LoopKeepAliveConnection.Send"/>).</summary>
internal interface IKeepAliveLoopOwner
{
    /// <summary>A complete response. Its body is a view of the connection's buffer, valid until the next
    /// <see cref="LoopKeepAliveConnection.Send"/>, which the owner may call from here.</summary>
    void Answered(in KeepAliveResponse response);

    /// <summary>The request failed with what <see cref="KeepAliveConnection.GetAsync"/> would have thrown; the
    /// connection is closed (the next request opens a new one).</summary>
    void Failed(Exception exception);

    /// <summary>The token given to <see cref="LoopKeepAliveConnection.Send"/> fired, or the connection was disposed
    /// (with the request in flight, or before it was sent); the connection is closed.</summary>
    void Cancelled();
}

/// <summary>
/// <see cref="KeepAliveConnection"/> on an <see cref="EpollLoop"/>: the same requests, bytes, meter, reconnect-once
/// and deadline rules, but driven by the loop's events and callbacks instead of awaits. A request is one
/// non-blocking send (the rest, if any, when epoll reports room); a receive is made only when epoll reports data;
/// the response is delimited and counted by the connection's <see cref="HttpMessageScanner"/> as there. Nothing is
/// allocated per request.
/// </summary>
/// <remarks>
/// One request at a time, like the client: <see cref="Send"/> is called by the owner from its callbacks or once the last
/// request's end was reported; the loop's events and the owner's calls take the connection's lock (uncontended: one
/// thread at a time has something to do), and the owner is called back under it. The two things that act from other threads
/// — the caller's token and the deadline's watchdog (a periodic <see cref="ITimer"/> of the client's clock, as in
/// <see cref="KeepAliveConnection"/>) — only shut the socket down; the loop then sees it end and reports why. The
/// socket is closed only by the request path. The connect is non-blocking too (its completion is the first room to
/// send), so no thread waits on a slow target.
/// </remarks>
internal sealed class LoopKeepAliveConnection : EpollHandler, IDisposable
{
    private const long Idle = 0;
    private const long Expired = -1;

    private readonly IPEndPoint _endPoint;
    private readonly WireMeter _meter;
    private readonly TimeSpan _timeout;
    private readonly long _timeoutTimestampTicks;
    private readonly TimeProvider _time;
    private readonly ConnectionPolicy _policy;
    private readonly IKeepAliveLoopOwner _owner;
    private readonly EpollLoop _loop;
    private readonly Lock _lock = new();
    private ITimer? _watchdog;
    private HttpMessageScanner _responses = new(isResponse: true);
    private Socket? _socket;
    private int _fd;
    private long _registration;
    private bool _registered;
    private byte[] _buffer = new byte[4096];
    private bool _reused;
    private bool _reconnected;
    private bool _stale;
    private uint _events;
    private bool _disposed;

    private ReadOnlyMemory<byte> _request;
    private int _sent;
    private bool _receiving;
    private long _completedBefore;
    private int _filled;
    private int _heads;

    // As in KeepAliveConnection: the request's number (from 1), Idle between requests, Expired once the watchdog
    // shut its socket down.
    private long _requestNumber;
    private long _inFlight;
    private long _deadline;

    private CancellationToken _token;
    private CancellationTokenRegistration _tokenRegistration;

    public LoopKeepAliveConnection(IPEndPoint endPoint, WireMeter meter, TimeSpan timeout, TimeProvider time, ConnectionPolicy? policy, IKeepAliveLoopOwner owner)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        _endPoint = endPoint;
        _meter = meter;
        _timeout = timeout;
        _time = time;
        _policy = policy ?? ConnectionPolicy.LoopbackOnly;
        _owner = owner;
        _loop = EpollLoop.Next();
        _timeoutTimestampTicks = (long)Math.Min(timeout.TotalSeconds * time.TimestampFrequency, long.MaxValue / 4);
    }

    /// <summary>
    /// Sends <paramref name="requestHead"/> (which must stay unchanged until the answer) and reports the answer to the
    /// owner. One request at a time: call it again only from <see cref="IKeepAliveLoopOwner.Answered"/> or after a
    /// failure or cancellation was reported.
    /// </summary>
    public void Send(ReadOnlyMemory<byte> requestHead, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            SendCore(requestHead, cancellationToken);
        }
    }

    private void SendCore(ReadOnlyMemory<byte> requestHead, CancellationToken cancellationToken)
    {
        if (_disposed)
        {
            // Disposed (the owner's phase is over): nothing is opened any more, and the owner hears why.
            _owner.Cancelled();
            return;
        }

        if (cancellationToken.IsCancellationRequested)
        {
            CloseCore();
            _owner.Cancelled();
            return;
        }

        if (cancellationToken != _token)
        {
            _tokenRegistration.Dispose();
            _token = cancellationToken;
            _tokenRegistration = cancellationToken.UnsafeRegister(static state => ((LoopKeepAliveConnection)state!).ShutDown(), this);
        }

        _request = requestHead;
        var number = ++_requestNumber;
        Volatile.Write(ref _deadline, _time.GetTimestamp() + _timeoutTimestampTicks);
        Volatile.Write(ref _inFlight, number);
        _watchdog ??= _time.CreateTimer(static state => ((LoopKeepAliveConnection)state!).CheckDeadline(), this,
            KeepAliveConnection.WatchPeriod(_timeout), KeepAliveConnection.WatchPeriod(_timeout));
        _reconnected = false;
        if (_stale && _socket is not null)
        {
            // The target ended the idle connection (or spoke on it unasked): this request goes on a new one at once,
            // counted as sent again, as KeepAliveConnection's failed send on the old one would be.
            CloseCore();
            _reconnected = true;
        }

        if (_socket is null)
        {
            Open();
            return;
        }

        StartRequest();
        TrySend();
    }

    public override void OnEvents(uint events)
    {
        lock (_lock)
        {
            try
            {
                OnEventsCore(events);
            }
            catch (Exception e)
            {
                // A bug (here or in the owner's callback): handled under the lock, so that no request sent meanwhile
                // from another thread is taken for the one that failed.
                FaultCore(e);
            }
        }
    }

    public override void OnFault(Exception exception)
    {
        lock (_lock)
        {
            FaultCore(exception);
        }
    }

    /// <summary>Something threw on the loop's thread: the request in flight, if any, fails with it (the owner is told);
    /// between requests the connection is only closed (the next request opens a new one).</summary>
    private void FaultCore(Exception exception)
    {
        if (Volatile.Read(ref _inFlight) != Idle)
        {
            Fail(exception);
        }
        else
        {
            CloseCore();
        }
    }

    private void OnEventsCore(uint events)
    {
        try
        {
            if (_socket is null)
            {
                return;
            }

            _events = events;

            if (Volatile.Read(ref _inFlight) == Idle)
            {
                // Between requests (a session backing off). Edge-triggered, this is the only report of a close by the
                // target meanwhile (a FIN, or a 408 and then its close): noted, so that the next request goes on a
                // new connection at once instead of waiting on a dead one for its deadline.
                if ((events & (Epoll.In | Epoll.RdHup | Epoll.Hup | Epoll.Err)) != 0 && IsStale(events))
                {
                    _stale = true;
                }

                return;
            }

            if (_receiving)
            {
                TryReceive();
            }
            else
            {
                TrySend();
            }
        }
        catch (Exception e) when (e is HttpIOException or SocketException or ObjectDisposedException)
        {
            Fail(e);
        }
    }

    /// <summary>Whether an idle socket's event means the target is done with it. An input edge alone can also be a late
    /// report of the last answer's bytes (already read): a peek, which reads nothing, tells the two apart.</summary>
    private bool IsStale(uint events)
    {
        if ((events & (Epoll.RdHup | Epoll.Hup | Epoll.Err)) != 0)
        {
            return true;
        }

        Span<byte> one = stackalloc byte[1];
        _socket!.Receive(one, SocketFlags.Peek, out var error);
        // End of stream (0), unasked bytes, or an error: all say this connection will not carry the next request.
        return error != SocketError.WouldBlock;
    }

    /// <summary>Opens a new socket, connect started, and sends the request on it; the descriptor is registered last,
    /// so until then nothing else runs for this connection.</summary>
    private void Open()
    {
        Socket socket;
        try
        {
            // A connect still going on is fine: sends return EAGAIN until it is done, then epoll reports room.
            socket = LoopbackConnector.StartNonBlockingConnect(_endPoint, _policy, out _);
        }
        catch (SocketException e)
        {
            Fail(e);
            return;
        }

        // A full fence: the watchdog and the token read _socket after they wrote; this reads what they wrote after.
        Interlocked.Exchange(ref _socket, socket);
        _fd = (int)socket.Handle;
        _responses = new HttpMessageScanner(isResponse: true);
        _reused = false;
        _stale = false;
        StartRequest();
        if (Volatile.Read(ref _inFlight) == Expired || _token.IsCancellationRequested)
        {
            // The watchdog or the token fired while there was no socket to shut down. ShutDown, not the bare call:
            // a connect still in progress is not connected yet (ENOTCONN), which must not throw here.
            ShutDown();
        }

        // The first send waits for epoll's first report of room: the connect's end (or at once, when it is done).
        // Everything the loop's thread reads is written before the descriptor is armed.
        _registration = _loop.Reserve(this);
        _registered = true;
        try
        {
            _loop.Arm(_fd, _registration);
        }
        catch (SocketException e)
        {
            // Out of memory or of epoll watches: this request fails (and the socket is closed) like any socket error.
            Fail(e);
        }
    }

    private void StartRequest()
    {
        _sent = 0;
        _receiving = false;
    }

    private void TrySend()
    {
        var request = _request.Span;
        while (_sent < request.Length)
        {
            var n = RawSocket.Send(_fd, request[_sent..], out var error);
            if (error == SocketError.WouldBlock)
            {
                return;
            }

            if (error != SocketError.Success)
            {
                if (_reused && Volatile.Read(ref _inFlight) > Idle)
                {
                    Reconnect();
                    return;
                }

                throw new SocketException((int)error);
            }

            // A request without a body is all head.
            _meter.OnWritten(n, n);
            _sent += n;
        }

        // Now wait for epoll to report the answer: a receive before that would nearly always find nothing.
        _receiving = true;
        _completedBefore = _responses.CompletedMessages;
        _filled = 0;
        _heads = 0;
    }

    private void TryReceive()
    {
        while (true)
        {
            if (_filled == _buffer.Length)
            {
                Array.Resize(ref _buffer, _buffer.Length * 2);
            }

            var read = RawSocket.Receive(_fd, _buffer.AsSpan(_filled), out var error);
            if (error == SocketError.WouldBlock)
            {
                return;
            }

            if (error != SocketError.Success)
            {
                if (_reused && _filled == 0 && Volatile.Read(ref _inFlight) > Idle)
                {
                    Reconnect();
                    return;
                }

                throw new SocketException((int)error);
            }

            if (read == 0)
            {
                if (_reused && _filled == 0)
                {
                    Reconnect();
                    return;
                }

                throw new HttpIOException(HttpRequestError.ResponseEnded, "The target closed the connection before the response ended.");
            }

            _heads += AnswerReads.Take(_responses, _meter, _buffer.AsSpan(_filled, read));
            _filled += read;

            if (_responses.CompletedMessages != _completedBefore)
            {
                Complete();
                return;
            }
        }
    }

    /// <summary>The reused connection was closed by the target before any byte of the answer: once more on a new one
    /// (as <see cref="KeepAliveConnection"/> and HttpClient do).</summary>
    private void Reconnect()
    {
        if (_token.IsCancellationRequested)
        {
            // A shut-down socket is also what the token leaves: that is the end, not a reconnect.
            Interlocked.Exchange(ref _inFlight, Idle);
            CloseCore();
            _owner.Cancelled();
            return;
        }

        CloseCore();
        _reconnected = true;
        Open();
    }

    private void Complete()
    {
        if (Interlocked.Exchange(ref _inFlight, Idle) == Expired)
        {
            // The watchdog shut the socket down just as the answer completed: the answer stands, the next request reconnects.
            CloseCore();
        }

        _reused = true;
        _receiving = false;
        if ((_events & (Epoll.RdHup | Epoll.Hup | Epoll.Err)) != 0)
        {
            // The target's close came with the answer's last bytes, in this one edge: no later event will tell.
            // Marked before the owner hears the answer, since it may send the next request from there.
            _stale = true;
        }

        // Heads come first (an interim 1xx, then the final one); everything after them is the body.
        var response = new KeepAliveResponse(_responses.Status, _buffer.AsMemory(_heads, _filled - _heads), _responses.Chunked, _reconnected)
        {
            Coding = _responses.Coding,
        };
        _owner.Answered(response);
    }

    private void Fail(Exception e)
    {
        var expired = Interlocked.Exchange(ref _inFlight, Idle) == Expired;
        CloseCore();
        if (_token.IsCancellationRequested)
        {
            _owner.Cancelled();
        }
        else if (expired)
        {
            _owner.Failed(new TimeoutException($"No complete response within {_timeout.TotalSeconds:0.###} s.", e));
        }
        else
        {
            _owner.Failed(e);
        }
    }

    /// <summary>The watchdog's tick (a timer thread): shuts down the socket of a request past its deadline.</summary>
    private void CheckDeadline()
    {
        var number = Volatile.Read(ref _inFlight);
        if (number <= Idle || _time.GetTimestamp() < Volatile.Read(ref _deadline))
        {
            return;
        }

        if (Interlocked.CompareExchange(ref _inFlight, Expired, number) == number)
        {
            // Only this request's socket: meanwhile the loop may have completed it (its answer stands) and the owner
            // sent the next request on a new socket, which must not be shut down. A socket read while the request is
            // still marked expired (checked after the read) is this request's; read after the CAS, it is the one a
            // reconnect of this request opened, or Open sees the mark (both sides fenced).
            var socket = Volatile.Read(ref _socket);
            if (Volatile.Read(ref _inFlight) == Expired)
            {
                ShutDown(socket);
            }
        }
    }

    /// <summary>From another thread: ends the socket's traffic so that the loop sees it end; the loop closes it.</summary>
    private void ShutDown() => ShutDown(Volatile.Read(ref _socket));

    private static void ShutDown(Socket? socket)
    {
        try
        {
            socket?.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Already closed, or never connected: nothing to end.
        }
    }

    /// <summary>Closes the socket between requests (from the owner's callback: the next <see cref="Send"/> opens a new one).</summary>
    public void Close()
    {
        lock (_lock)
        {
            CloseCore();
        }
    }

    private void CloseCore()
    {
        if (_socket is { } socket)
        {
            if (_registered)
            {
                _loop.Remove(_registration, _fd);
                _registered = false;
            }

            Volatile.Write(ref _socket, null);
            socket.Dispose();
        }

        _receiving = false;
    }

    /// <summary>Stops the watchdog and closes the socket. A request still in flight ends as cancelled (the owner is told,
    /// so that whoever waits for it does not wait for ever); a <see cref="Send"/> after this reports cancelled at once
    /// and opens nothing.</summary>
    public void Dispose()
    {
        // Under the lock, not after a shutdown from here: the loop would see that end first and report it as a failure.
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _watchdog?.Dispose();
            _tokenRegistration.Dispose();
            var inFlight = Interlocked.Exchange(ref _inFlight, Idle) != Idle;
            CloseCore();
            if (inFlight)
            {
                _owner.Cancelled();
            }
        }
    }

}
