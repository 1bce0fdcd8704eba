using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace LoadBench.Engine.Transports.Connections.EventLoop;

/// <summary>
/// <c>recv(2)</c> and <c>send(2)</c> on a socket's descriptor, for the loop's connections (<see cref="LoopStream"/>,
/// <see cref="LoopKeepAliveConnection"/>): one call per delivery, or per request and answer.
/// </summary>
/// <remarks>
/// <see cref="Socket.Receive(Span{byte}, SocketFlags, out SocketError)"/> and <c>Send</c> make the same system calls, but
/// first check the socket is not disposed, take and release a reference on its <see cref="SafeSocketHandle"/> (two
/// interlocked operations on an object that is cold in cache by the time a subscriber's next event comes) and go through
/// the runtime's native shim. Both connections call these only under their lock and with their socket not yet closed
/// (they close it under the same lock), so the descriptor cannot be closed, let alone reused, meanwhile.
/// </remarks>
internal static partial class RawSocket
{
    private const int Eintr = 4;

    /// <summary>No SIGPIPE for a send on a connection the peer closed (EPIPE instead), as the runtime's sends ask.</summary>
    private const int MsgNoSignal = 0x4000;

    /// <summary>Bytes received (0: the peer's end of the stream), or −1 with <paramref name="error"/> set: WouldBlock
    /// when nothing is waiting (EAGAIN), else the socket error the runtime's receive would report.</summary>
    public static unsafe int Receive(int fd, Span<byte> buffer, out SocketError error)
    {
        fixed (byte* bytes = buffer)
        {
            return Transfer(fd, bytes, buffer.Length, sending: false, out error);
        }
    }

    /// <summary>Bytes sent, or −1 with <paramref name="error"/> set: WouldBlock when the send buffer is full (EAGAIN),
    /// else the socket error the runtime's send would report.</summary>
    public static unsafe int Send(int fd, ReadOnlySpan<byte> bytes, out SocketError error)
    {
        fixed (byte* start = bytes)
        {
            return Transfer(fd, start, bytes.Length, sending: true, out error);
        }
    }

    /// <summary>One <c>recv</c> or <c>send</c>, made again when a signal interrupted it (EINTR), as the runtime does.</summary>
    private static unsafe int Transfer(int fd, byte* bytes, int length, bool sending, out SocketError error)
    {
        while (true)
        {
            var done = sending ? send(fd, bytes, (nuint)length, MsgNoSignal) : recv(fd, bytes, (nuint)length, 0);
            if (done >= 0)
            {
                error = SocketError.Success;
                return (int)done;
            }

            var errno = Marshal.GetLastPInvokeError();
            if (errno != Eintr)
            {
                error = FromErrno(errno);
                return -1;
            }
        }
    }

    /// <summary>The <see cref="SocketError"/> the runtime reports for a receive's or send's errno (Linux x86-64 numbers, where the
    /// loop runs: <see cref="Epoll.IsSupported"/>); others as <see cref="SocketError.SocketError"/>, with the errno lost.</summary>
    internal static SocketError FromErrno(int errno) => errno switch
    {
        11 => SocketError.WouldBlock, // EAGAIN = EWOULDBLOCK
        32 => SocketError.Shutdown, // EPIPE
        101 => SocketError.NetworkUnreachable, // ENETUNREACH
        103 => SocketError.ConnectionAborted, // ECONNABORTED
        104 => SocketError.ConnectionReset, // ECONNRESET
        107 => SocketError.NotConnected, // ENOTCONN
        110 => SocketError.TimedOut, // ETIMEDOUT
        111 => SocketError.ConnectionRefused, // ECONNREFUSED
        113 => SocketError.HostUnreachable, // EHOSTUNREACH
        12 or 105 => SocketError.NoBufferSpaceAvailable, // ENOMEM, ENOBUFS
        _ => SocketError.SocketError,
    };

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial nint recv(int fd, byte* buffer, nuint length, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial nint send(int fd, byte* buffer, nuint length, int flags);
}
