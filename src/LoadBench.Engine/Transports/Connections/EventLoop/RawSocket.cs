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

    /// <summary>The <see cref="SocketError"/> the runtime reports for an errno (its SocketErrorPal.Unix table, with Linux
    /// x86-64's numbers, where the loop runs: <see cref="Epoll.IsSupported"/>); others as <see cref="SocketError.SocketError"/>,
    /// as the runtime reports them. (A test holds this to the runtime's mapping the other way.)</summary>
    internal static SocketError FromErrno(int errno) => errno switch
    {
        1 or 13 => SocketError.AccessDenied, // EPERM, EACCES
        2 or 99 => SocketError.AddressNotAvailable, // ENOENT, EADDRNOTAVAIL
        4 => SocketError.Interrupted, // EINTR
        6 => SocketError.HostNotFound, // ENXIO: "not perfect, but closest match available", says the runtime
        9 or 125 => SocketError.OperationAborted, // EBADF, ECANCELED
        11 => SocketError.WouldBlock, // EAGAIN = EWOULDBLOCK
        14 => SocketError.Fault, // EFAULT
        22 => SocketError.InvalidArgument, // EINVAL
        23 or 24 => SocketError.TooManyOpenSockets, // ENFILE, EMFILE
        32 => SocketError.Shutdown, // EPIPE
        61 => SocketError.NoData, // ENODATA
        88 => SocketError.NotSocket, // ENOTSOCK
        89 => SocketError.DestinationAddressRequired, // EDESTADDRREQ
        90 => SocketError.MessageSize, // EMSGSIZE
        91 => SocketError.ProtocolType, // EPROTOTYPE
        92 => SocketError.ProtocolOption, // ENOPROTOOPT
        93 => SocketError.ProtocolNotSupported, // EPROTONOSUPPORT
        94 => SocketError.SocketNotSupported, // ESOCKTNOSUPPORT
        95 => SocketError.OperationNotSupported, // EOPNOTSUPP = ENOTSUP
        96 => SocketError.ProtocolFamilyNotSupported, // EPFNOSUPPORT
        97 => SocketError.AddressFamilyNotSupported, // EAFNOSUPPORT
        98 => SocketError.AddressAlreadyInUse, // EADDRINUSE
        100 => SocketError.NetworkDown, // ENETDOWN
        101 => SocketError.NetworkUnreachable, // ENETUNREACH
        102 => SocketError.NetworkReset, // ENETRESET
        103 => SocketError.ConnectionAborted, // ECONNABORTED
        104 => SocketError.ConnectionReset, // ECONNRESET
        105 => SocketError.NoBufferSpaceAvailable, // ENOBUFS
        106 => SocketError.IsConnected, // EISCONN
        107 => SocketError.NotConnected, // ENOTCONN
        108 => SocketError.Disconnecting, // ESHUTDOWN
        110 => SocketError.TimedOut, // ETIMEDOUT
        111 => SocketError.ConnectionRefused, // ECONNREFUSED
        112 => SocketError.HostDown, // EHOSTDOWN
        113 => SocketError.HostUnreachable, // EHOSTUNREACH
        114 => SocketError.AlreadyInProgress, // EALREADY
        115 => SocketError.InProgress, // EINPROGRESS
        _ => SocketError.SocketError,
    };

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial nint recv(int fd, byte* buffer, nuint length, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial nint send(int fd, byte* buffer, nuint length, int flags);
}
