using System.Buffers;
using System.Net;
using System.Net.Sockets;
using LoadBench.Engine.Metrics;

namespace LoadBench.Engine.Transports.Connections.EventLoop;

/// <summary>What a <see cref="LoopStream"/> hands its reads to, on the loop's thread (or on the thread that called
/// <see cref="LoopStream.ReadAsync"/>, for bytes that were there already).</summary>
/// <remarks>An abstract class for the reason <see cref="EpollHandler"/> is one: a call per read, and in a WebSocket engine
/// the call site sees two types (the upgrade's answer, then the session's frames).</remarks>
internal abstract class LoopStreamReader
{
    /// <summary>Takes one read's bytes, all of them; false stops the reading (<see cref="LoopStreamEnd.Paused"/>): the
    /// stream ended, or its owner has something to do before it reads on. Must not block; what it throws ends the read.</summary>
    public abstract bool TakeRead(ReadOnlySpan<byte> bytes);
}

/// <summary>Why a <see cref="LoopStream.ReadAsync"/> returned.</summary>
internal enum LoopStreamEnd
{
    /// <summary>The reader returned false.</summary>
    Paused,

    /// <summary>The target ended the connection (a receive returned 0).</summary>
    EndOfStream,

    /// <summary>The stream was disposed (the phase's token, a drain timer): the descriptor is out of the loop.</summary>
    Stopped,
}

/// <summary>
/// A raw streaming connection (SSE, WebSocket) on an <see cref="EpollLoop"/>: the connect is non-blocking and its end
/// reported by the loop, and then every byte the target sends is received on the loop's thread, into one receive buffer
/// per thread, and handed to the owner's synchronous parse (<see cref="LoopStreamReader"/>). The owner's async method
/// sends its request head, awaits <see cref="ReadAsync"/> and does what follows a stream's end as before.
/// </summary>
/// <remarks>
/// Why (issue 14, engine CPU per delivery): through the runtime's socket engine a delivery cost a zero-byte receive and
/// a receive into a rented buffer (two <c>recvfrom</c>), two awaits and the engine's operation queues. Here it is one
/// receive: edge-triggered, a read shorter than the buffer means the socket is drained (epoll(7): new data makes a new
/// edge), so the receive that would only say EAGAIN is left out unless the target's close came in the same edge. The
/// socket never sees the runtime's engine (no async call before the stream ends), which would wake its own epoll
/// thread for the same descriptor's every event. An idle stream holds no buffer.
/// The loop's events and the owner's calls take the stream's lock (uncontended: one side at a time has something to
/// do). <see cref="Dispose"/>, from any thread (the phase's token, a drain timer), takes the descriptor out of the loop
/// under that lock before the socket is closed, so the loop never receives on a closed (or reused) descriptor.
/// </remarks>
internal sealed class LoopStream : EpollHandler, IDisposable
{
    // One per loop thread (and per pool thread that read bytes already there): a read is parsed before the next one.
    private const int ReceiveBytes = 16 * 1024;

    [ThreadStatic]
    private static byte[]? t_buffer;

    private readonly Socket _socket;
    private readonly WireMeter _meter;
    private readonly EpollLoop _loop;
    private readonly Lock _lock = new();
    private readonly int _fd;
    private long _registration;
    private bool _registered;
    private bool _disposed;
    private bool _readable; // bytes (or the end) may be waiting that no edge will report again
    private TaskCompletionSource? _connect;
    private TaskCompletionSource<LoopStreamEnd>? _read;
    private LoopStreamReader? _reader;
    private byte[]? _unsent; // framing the socket had no room for yet (a pong), sent when epoll reports room
    private int _unsentLength;
    private Exception? _failure; // what ended the connection while no read was running: the next read throws it

    /// <summary>Framing a target does not let us send (it pings and never reads our pongs): beyond this the connection
    /// fails, as the awaited path, which waited for each pong's send before reading on, would have stalled.</summary>
    public const int MaxUnsentBytes = 64 * 1024;

    /// <summary>The environment variable that keeps the raw streams on the runtime's socket engine (<c>0</c>).</summary>
    public const string LoopVariable = "LOADBENCH_STREAM_LOOP";

    /// <summary>Whether a raw stream may run on the loop: Linux x86-64, and not turned off (<paramref name="asked"/>, else
    /// <see cref="LoopVariable"/>).</summary>
    public static bool IsEnabled(bool? asked) =>
        Epoll.IsSupported && (asked ?? Environment.GetEnvironmentVariable(LoopVariable) != "0");

    private LoopStream(Socket socket, WireMeter meter)
    {
        _socket = socket;
        _meter = meter;
        _fd = (int)socket.Handle;
        _loop = EpollLoop.Next();
    }

    /// <summary>The connected socket, to send the request head on (synchronously: it is non-blocking).</summary>
    public Socket Socket => _socket;

    /// <summary>
    /// Opens a non-blocking TCP connection to <paramref name="endPoint"/> (Nagle off, from the policy's next source address),
    /// registered with the next loop, failing as <see cref="LoopbackConnector.ConnectRawAsync"/> fails: within its
    /// timeout, a socket error wrapped in <see cref="HttpRequestException"/>.
    /// </summary>
    public static async Task<LoopStream> ConnectAsync(IPEndPoint endPoint, ConnectionPolicy policy, WireMeter meter, CancellationToken cancellationToken)
    {
        LoopStream? stream = null;
        try
        {
            var socket = LoopbackConnector.StartNonBlockingConnect(endPoint, policy, out var pending);
            stream = new LoopStream(socket, meter);
            await stream.Register(pending).WaitAsync(LoopbackConnector.ConnectTimeout, cancellationToken).ConfigureAwait(false);
            return stream;
        }
        catch (TimeoutException e)
        {
            stream?.Dispose();
            throw new HttpRequestException(HttpRequestError.ConnectionError, "The connection to the target timed out.", e);
        }
        catch (SocketException e)
        {
            stream?.Dispose();
            throw new HttpRequestException(HttpRequestError.ConnectionError, e.Message, e);
        }
        catch
        {
            stream?.Dispose();
            throw;
        }
    }

    /// <summary>Registers the socket with the loop; the task ends with the connect (at once when it is done already).</summary>
    private Task Register(bool connectPending)
    {
        lock (_lock)
        {
            if (connectPending)
            {
                // The loop reports the connect's end as the first room to send.
                _connect = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            _registration = _loop.Reserve(this);
            _registered = true;
            _loop.Arm(_fd, _registration);
            return _connect?.Task ?? Task.CompletedTask;
        }
    }

    /// <summary>
    /// Reads until <paramref name="reader"/> returns false, the target ends the connection or the stream is disposed;
    /// throws what a receive or the reader threw. One read at a time; bytes that came while none was running are read
    /// at once (on the calling thread).
    /// </summary>
    public Task<LoopStreamEnd> ReadAsync(LoopStreamReader reader)
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return Task.FromResult(LoopStreamEnd.Stopped);
            }

            if (_failure is { } failure)
            {
                return Task.FromException<LoopStreamEnd>(failure); // a failed connection stays failed
            }

            var read = new TaskCompletionSource<LoopStreamEnd>(TaskCreationOptions.RunContinuationsAsynchronously);
            _read = read;
            _reader = reader;
            if (_readable)
            {
                // Bytes that came while no read ran, read here on the caller's (pool) thread: a pooled buffer, not a
                // thread's own one that would stay with every pool thread that ever did this.
                var buffer = ArrayPool<byte>.Shared.Rent(ReceiveBytes);
                try
                {
                    Receive(Epoll.RdHup, buffer); // as if the close came too: read until EAGAIN
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
            }

            return read.Task;
        }
    }

    /// <summary>Sends framing the owner must answer with (a pong), without blocking: what the socket has no room for now
    /// goes when epoll reports room, before anything sent later. Every byte on the meter as framing once sent.</summary>
    /// <exception cref="SocketException">The send failed (the connection is gone).</exception>
    public void SendFraming(ReadOnlySpan<byte> bytes)
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            if (_unsentLength == 0)
            {
                bytes = bytes[SendSome(bytes)..];
                if (bytes.IsEmpty)
                {
                    return;
                }
            }

            var needed = _unsentLength + bytes.Length;
            if (needed > MaxUnsentBytes)
            {
                throw new SocketException((int)SocketError.NoBufferSpaceAvailable, $"The target has not read {needed} bytes of pongs and close frames sent to it.");
            }

            if (_unsent is null || _unsent.Length < needed)
            {
                Array.Resize(ref _unsent, Math.Min(MaxUnsentBytes, Math.Max(256, Math.Max(needed, (_unsent?.Length ?? 0) * 2))));
            }

            bytes.CopyTo(_unsent.AsSpan(_unsentLength));
            _unsentLength = needed;
        }
    }

    /// <summary>Whether everything given to <see cref="SendFraming"/> has been sent.</summary>
    public bool AllSent
    {
        get
        {
            lock (_lock)
            {
                return _unsentLength == 0;
            }
        }
    }

    // Sends what there is room for; returns how many bytes went. Under the lock with the stream not disposed (its callers
    // check), as RawSocket asks.
    private int SendSome(ReadOnlySpan<byte> bytes)
    {
        var sent = 0;
        while (sent < bytes.Length)
        {
            var n = RawSocket.Send(_fd, bytes[sent..], out var error);
            if (error == SocketError.WouldBlock)
            {
                break;
            }

            if (error != SocketError.Success)
            {
                throw new SocketException((int)error);
            }

            _meter.OnWritten(n, 0); // frames: framing on the meter
            sent += n;
        }

        if (sent == bytes.Length)
        {
            _meter.Settle();
        }

        return sent;
    }

    public override void OnEvents(uint events)
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return; // taken out of the loop meanwhile (found by the loop just before)
            }

            if (_connect is { } connect)
            {
                if ((events & (Epoll.Out | Epoll.Err | Epoll.Hup)) != 0)
                {
                    // The connect's outcome, whatever reading it throws: the caller waits for it.
                    try
                    {
                        var error = (SocketError)(int)_socket.GetSocketOption(SocketOptionLevel.Socket, SocketOptionName.Error)!;
                        if (error == SocketError.Success)
                        {
                            connect.TrySetResult();
                        }
                        else
                        {
                            connect.TrySetException(new SocketException((int)error));
                        }
                    }
                    catch (Exception e)
                    {
                        connect.TrySetException(e);
                    }
                    finally
                    {
                        _connect = null;
                    }
                }

                if ((events & (Epoll.In | Epoll.RdHup | Epoll.Hup | Epoll.Err)) != 0)
                {
                    _readable = true;
                }

                return;
            }

            if ((events & Epoll.Out) != 0 && _unsentLength != 0)
            {
                try
                {
                    FlushUnsent();
                }
                catch (SocketException e)
                {
                    End(e);
                    return;
                }
            }

            if ((events & (Epoll.In | Epoll.RdHup | Epoll.Hup | Epoll.Err)) == 0)
            {
                return;
            }

            if (_read is null)
            {
                _readable = true; // read when the owner reads on
                return;
            }

            Receive(events, t_buffer ??= new byte[ReceiveBytes]);
        }
    }

    public override void OnFault(Exception exception)
    {
        lock (_lock)
        {
            if (_connect is { } connect)
            {
                _connect = null;
                connect.TrySetException(exception);
            }

            End(exception);
        }
    }

    private void FlushUnsent()
    {
        var sent = SendSome(_unsent.AsSpan(0, _unsentLength));
        _unsent.AsSpan(sent, _unsentLength - sent).CopyTo(_unsent);
        _unsentLength -= sent;
        if (_unsentLength == 0)
        {
            _unsent = null;
        }
    }

    // Under the lock, with a read running.
    private void Receive(uint events, byte[] buffer)
    {
        try
        {
            while (true)
            {
                var read = RawSocket.Receive(_fd, buffer, out var error);
                if (error == SocketError.WouldBlock)
                {
                    _readable = false;
                    return;
                }

                if (error != SocketError.Success)
                {
                    throw new SocketException((int)error);
                }

                if (read == 0)
                {
                    _readable = true; // the end stays the end: a later read sees it again
                    Complete(LoopStreamEnd.EndOfStream);
                    return;
                }

                if (!_reader!.TakeRead(buffer.AsSpan(0, read)))
                {
                    _readable = true; // more may be waiting, and no edge will say so
                    Complete(LoopStreamEnd.Paused);
                    return;
                }

                if (_disposed || _read is null)
                {
                    // The reader disposed or ended the stream from inside TakeRead (the lock is re-entrant): the descriptor
                    // may be closed already, and a recv on it could reach a descriptor reused meanwhile.
                    return;
                }

                if (read < buffer.Length && (events & (Epoll.RdHup | Epoll.Hup | Epoll.Err)) == 0)
                {
                    // Drained: a stream socket returns what it has, and what comes later is a new edge.
                    _readable = false;
                    return;
                }
            }
        }
        catch (Exception e)
        {
            End(e);
        }
    }

    private void Complete(LoopStreamEnd end)
    {
        var read = _read;
        _read = null;
        _reader = null;
        read?.TrySetResult(end);
    }

    private void End(Exception exception)
    {
        // A failed connection stays failed: the read running now throws it, and so does every later one (no edge would
        // come to end a read that waited for one). Bytes still queued when it failed are not read: the connection is
        // being given up, and its failure is what the owner counts.
        _failure ??= exception;
        var read = _read;
        _read = null;
        _reader = null;
        read?.TrySetException(exception);
    }

    /// <summary>For tests: whether the connection has failed (the next read throws).</summary>
    internal bool HasFailed
    {
        get
        {
            lock (_lock)
            {
                return _failure is not null;
            }
        }
    }

    /// <summary>From any thread: takes the descriptor out of the loop, then closes the socket; a read or connect still
    /// waiting ends (<see cref="LoopStreamEnd.Stopped"/>, <see cref="OperationCanceledException"/>).</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            if (_registered)
            {
                _loop.Remove(_registration, _fd);
                _registered = false;
            }

            _connect?.TrySetCanceled(); // nobody may be left to observe it: a cancellation, not a fault
            _connect = null;
            Complete(LoopStreamEnd.Stopped);
            _unsent = null;
            _unsentLength = 0;
            _socket.Dispose();
        }
    }
}
