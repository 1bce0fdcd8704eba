using System.Net;
using System.Net.Sockets;
using LoadBench.Engine.Transports.Connections;

namespace LoadBench.Engine.Tests.Transports.Connections;

/// <summary>The raw WebSocket path's socket stream gives every byte once, in order, and holds a buffer only while
/// received bytes wait to be read out.</summary>
public sealed class PooledReceiveStreamTests
{
    [Fact]
    public async Task SmallReads_GiveEveryByteInOrder_AndHoldNothingOnceReadOut()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen();
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(listener.LocalEndPoint!);
        using var server = await listener.AcceptAsync();
        await using var stream = new PooledReceiveStream(client);
        var sent = Enumerable.Range(0, 300).Select(i => (byte)i).ToArray();
        await server.SendAsync(sent);

        // A zero-byte read waits for the data without taking it; then a frame header's worth, then the rest.
        Assert.Equal(0, await stream.ReadAsync(Memory<byte>.Empty));
        var received = new List<byte>();
        var header = new byte[2];
        received.AddRange(header.AsSpan(0, await stream.ReadAsync(header)).ToArray());
        var rest = new byte[1024];
        while (received.Count < sent.Length)
        {
            var n = await stream.ReadAsync(rest);
            Assert.True(n > 0);
            received.AddRange(rest.AsSpan(0, n).ToArray());
        }

        Assert.Equal(sent, received);
        Assert.False(stream.Holding);
    }
}
