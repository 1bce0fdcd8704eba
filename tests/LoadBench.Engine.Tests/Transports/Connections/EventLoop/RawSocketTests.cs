using System.Net;
using System.Net.Sockets;
using LoadBench.Engine.Transports.Connections.EventLoop;

namespace LoadBench.Engine.Tests.Transports.Connections.EventLoop;

/// <summary><see cref="RawSocket"/> against the runtime's own <see cref="Socket.Receive(Span{byte}, SocketFlags, out SocketError)"/>
/// and <c>Send</c> on the same kind of connection: the same bytes, the same "nothing yet" and "no room", the same end and
/// the same reset.</summary>
public sealed class RawSocketTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Receive_TheBytesSent_ThenWouldBlock_ThenTheEndOfTheStream()
    {
        var (client, peer) = await ConnectedPairAsync();
        using (client)
        using (peer)
        {
            var buffer = new byte[64];
            Assert.Equal(-1, RawSocket.Receive((int)client.Handle, buffer, out var nothingYet));
            Assert.Equal(SocketError.WouldBlock, nothingYet);

            peer.Send("abc"u8);
            await WaitReadableAsync(client);
            Assert.Equal(3, RawSocket.Receive((int)client.Handle, buffer, out var sent));
            Assert.Equal(SocketError.Success, sent);
            Assert.Equal("abc"u8.ToArray(), buffer[..3]);

            peer.Shutdown(SocketShutdown.Send);
            await WaitReadableAsync(client);
            Assert.Equal(0, RawSocket.Receive((int)client.Handle, buffer, out var end));
            Assert.Equal(SocketError.Success, end);
        }
    }

    [Fact]
    public async Task Receive_AfterThePeersReset_ReportsTheErrorTheRuntimesReceiveReports()
    {
        var runtime = await AfterResetAsync(s => { s.Receive(new byte[16], SocketFlags.None, out var e); return e; });
        var raw = await AfterResetAsync(s => { RawSocket.Receive((int)s.Handle, new byte[16], out var e); return e; });

        Assert.Equal(SocketError.ConnectionReset, runtime);
        Assert.Equal(runtime, raw);
    }

    [Fact]
    public async Task Send_TheBytes_UntilTheBufferIsFull_ThenWouldBlock_AndAfterTheReset_WhatTheRuntimeReports()
    {
        var (client, peer) = await ConnectedPairAsync();
        using (client)
        using (peer)
        {
            Assert.Equal(3, RawSocket.Send((int)client.Handle, "abc"u8, out var sent));
            Assert.Equal(SocketError.Success, sent);
            var received = new byte[3];
            Assert.Equal(3, peer.Receive(received));
            Assert.Equal("abc"u8.ToArray(), received);

            // A peer that never reads: the send buffer fills, then the send says so instead of blocking.
            var chunk = new byte[64 * 1024];
            SocketError error;
            var total = 0L;
            while (RawSocket.Send((int)client.Handle, chunk, out error) > 0)
            {
                total += chunk.Length;
                Assert.True(total < 1L << 30, "the send buffer never filled");
            }

            Assert.Equal(SocketError.WouldBlock, error);
        }

        var runtime = await AfterResetAsync(s => { s.Send("x"u8, SocketFlags.None, out var e); return e; });
        var raw = await AfterResetAsync(s => { RawSocket.Send((int)s.Handle, "x"u8, out var e); return e; });
        Assert.Equal(SocketError.ConnectionReset, runtime);
        Assert.Equal(runtime, raw);
    }

    [Fact]
    public void FromErrno_IsTheRuntimesMapping_ForEveryErrorItMapsBothWays()
    {
        // The runtime's errno -> SocketError table is internal; its inverse shows through SocketException.NativeErrorCode.
        // Every SocketError whose errno is a Linux one must come back from that errno (TryAgain and IOPending share EAGAIN
        // and EINPROGRESS with WouldBlock and InProgress, which those errnos map to).
        var checkedErrors = 0;
        foreach (var error in Enum.GetValues<SocketError>())
        {
            var errno = new SocketException((int)error).NativeErrorCode;
            if (errno is <= 0 or >= 1000 || error is SocketError.TryAgain or SocketError.IOPending)
            {
                continue;
            }

            Assert.Equal(error, RawSocket.FromErrno(errno));
            checkedErrors++;
        }

        Assert.True(checkedErrors >= 35, $"{checkedErrors} errors checked");
        Assert.Equal(SocketError.SocketError, RawSocket.FromErrno(12)); // ENOMEM: not in the runtime's table
    }

    /// <summary>What <paramref name="call"/> reports on a connection whose peer closed it with a reset.</summary>
    private static async Task<SocketError> AfterResetAsync(Func<Socket, SocketError> call)
    {
        var (client, peer) = await ConnectedPairAsync();
        using (client)
        {
            peer.LingerState = new LingerOption(true, 0); // close with RST
            peer.Close();
            await WaitReadableAsync(client);
            return call(client);
        }
    }

    /// <summary>A non-blocking client socket and the listener's end of its connection, over loopback.</summary>
    private static async Task<(Socket Client, Socket Peer)> ConnectedPairAsync()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync((IPEndPoint)listener.LocalEndpoint).WaitAsync(Bound);
        var peer = await listener.AcceptSocketAsync().WaitAsync(Bound);
        client.Blocking = false;
        return (client, peer);
    }

    private static async Task WaitReadableAsync(Socket socket)
    {
        var deadline = DateTime.UtcNow + Bound;
        while (!socket.Poll(TimeSpan.FromMilliseconds(100), SelectMode.SelectRead))
        {
            Assert.True(DateTime.UtcNow < deadline, "the socket never became readable");
            await Task.Yield();
        }
    }
}
