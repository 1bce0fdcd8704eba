using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace LoadBench.Engine.Transports.Connections.EventLoop;

/// <summary>The three epoll calls of Linux's libc (epoll(7)), for <see cref="EpollLoop"/>.</summary>
/// <remarks>x86-64 only: there <c>struct epoll_event</c> is packed (12 bytes); other architectures lay it out
/// differently and keep the runtime's socket engine (<see cref="IsSupported"/>).</remarks>
internal static unsafe partial class Epoll
{
    public const uint In = 0x001;
    public const uint Out = 0x004;
    public const uint Err = 0x008;
    public const uint Hup = 0x010;
    public const uint RdHup = 0x2000;
    public const uint EdgeTriggered = 1u << 31;

    private const int CtlAdd = 1;
    private const int CtlDel = 2;
    private const int CloExec = 0x80000;
    private const int Eintr = 4;

    /// <summary>Linux on x86-64, where the layout below is right.</summary>
    public static bool IsSupported { get; } = OperatingSystem.IsLinux() && RuntimeInformation.ProcessArchitecture == Architecture.X64;

    [StructLayout(LayoutKind.Sequential, Pack = 4)]
    public struct Event
    {
        public uint Events;
        public ulong Data;
    }

    public static int Create()
    {
        var fd = epoll_create1(CloExec);
        return fd >= 0 ? fd : throw new InvalidOperationException($"epoll_create1 failed (errno {Marshal.GetLastPInvokeError()}).");
    }

    /// <exception cref="SocketException">epoll_ctl failed; its errno (ENOMEM, ENOSPC: out of memory or of watches)
    /// is in the message, the code says no buffer space, as the socket calls would.</exception>
    public static void Add(int epfd, int fd, uint events, ulong data)
    {
        var e = new Event { Events = events, Data = data };
        if (epoll_ctl(epfd, CtlAdd, fd, &e) != 0)
        {
            throw new SocketException((int)SocketError.NoBufferSpaceAvailable, $"epoll_ctl(ADD) failed (errno {Marshal.GetLastPInvokeError()}).");
        }
    }

    /// <summary>Removes <paramref name="fd"/>; best effort (closing the descriptor removes it as well).</summary>
    public static void Remove(int epfd, int fd)
    {
        var e = default(Event);
        _ = epoll_ctl(epfd, CtlDel, fd, &e);
    }

    /// <summary>Waits for events; 0 when interrupted by a signal.</summary>
    public static int Wait(int epfd, Event* events, int max, int timeoutMilliseconds)
    {
        var n = epoll_wait(epfd, events, max, timeoutMilliseconds);
        if (n >= 0)
        {
            return n;
        }

        var errno = Marshal.GetLastPInvokeError();
        return errno == Eintr ? 0 : throw new InvalidOperationException($"epoll_wait failed (errno {errno}).");
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int epoll_create1(int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int epoll_ctl(int epfd, int op, int fd, Event* ev);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int epoll_wait(int epfd, Event* events, int maxevents, int timeout);
}
