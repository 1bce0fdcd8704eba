using System.Net.WebSockets;
using System.Text;
using LoadBench.Engine.Transports.WebSockets;

namespace LoadBench.Engine.Tests.Transports.WebSockets;

/// <summary>
/// The raw WebSocket path's frame reader gives the same messages and control frames whether the bytes come whole,
/// one byte per read or cut at every possible point. The frames are written by the runtime's own WebSocket (server
/// side, so unmasked): an encoder independent of the reader, with 7-, 16- and 64-bit lengths and a message in three
/// frames; the ping is written by hand (the runtime sends pings only on its own timer).
/// </summary>
public sealed class WebSocketMessageReaderTests
{
    private static readonly string Large16 = new('x', 300);     // length in 16 bits
    private static readonly string Large64 = new('y', 70_000);  // length in 64 bits

    private static readonly (WebSocketFrameKind Kind, string Payload)[] Expected =
    [
        (WebSocketFrameKind.Text, "{\"seq\":1}"),
        (WebSocketFrameKind.Ping, "hb"),
        (WebSocketFrameKind.Text, Large16),
        (WebSocketFrameKind.Binary, "\u0001\u0002"),
        (WebSocketFrameKind.Text, "one-two-three"),
        (WebSocketFrameKind.Text, ""),
        (WebSocketFrameKind.Text, Large64),
        (WebSocketFrameKind.Close, ""), // its status and reason are checked apart (AssertExpected)
    ];

    private static byte[] Frames()
    {
        var wire = new MemoryStream();
        using var server = WebSocket.CreateFromStream(wire, new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = TimeSpan.Zero });
        Send(server, "{\"seq\":1}", WebSocketMessageType.Text, true);
        wire.Write([0x89, 0x02, (byte)'h', (byte)'b']); // ping "hb", by hand
        Send(server, Large16, WebSocketMessageType.Text, true);
        server.SendAsync(new byte[] { 1, 2 }, WebSocketMessageType.Binary, true, default).GetAwaiter().GetResult();
        Send(server, "one-", WebSocketMessageType.Text, false);
        Send(server, "two-", WebSocketMessageType.Text, false);
        Send(server, "three", WebSocketMessageType.Text, true);
        Send(server, "", WebSocketMessageType.Text, true);
        Send(server, Large64, WebSocketMessageType.Text, true);
        server.CloseOutputAsync((WebSocketCloseStatus)4410, "gone", default).GetAwaiter().GetResult();
        return wire.ToArray();
    }

    private static void Send(WebSocket socket, string text, WebSocketMessageType type, bool end) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(text), type, end, default).GetAwaiter().GetResult();

    [Fact]
    public void TryRead_WholeBytes_GivesEveryMessageAndControlFrame()
    {
        using var reader = new WebSocketMessageReader();

        var frames = ReadAll(reader, [Frames()]);

        AssertExpected(frames);
        Assert.False(reader.Holding);
    }

    [Fact]
    public void TryRead_OneBytePerRead_GivesTheSame()
    {
        using var reader = new WebSocketMessageReader();

        var frames = ReadAll(reader, Frames().Select(b => new[] { b }));

        AssertExpected(frames);
        Assert.False(reader.Holding);
    }

    [Fact]
    public void TryRead_CutAtEveryPoint_GivesTheSame()
    {
        var bytes = Frames();
        // Every cut in the small frames at the start, and a sample through the large ones (a cut per byte of 70 KB
        // would be 70,000 runs for no more cases).
        var cuts = Enumerable.Range(1, 400).Concat(Enumerable.Range(0, 50).Select(i => 400 + i * (bytes.Length - 401) / 49));
        foreach (var cut in cuts.Distinct())
        {
            using var reader = new WebSocketMessageReader();

            var frames = ReadAll(reader, [bytes[..cut], bytes[cut..]]);

            AssertExpected(frames);
            Assert.False(reader.Holding);
        }
    }

    [Fact]
    public void TryRead_FrameCutInTwo_HoldsItUntilItIsWhole_ThenNothing()
    {
        var bytes = Frames();
        using var reader = new WebSocketMessageReader();
        ReadOnlySpan<byte> first = bytes.AsSpan(0, 5); // the first frame is 11 bytes: 2 of header, 9 of payload

        Assert.False(reader.TryRead(ref first, out _, out _));
        Assert.True(reader.Holding);
        ReadOnlySpan<byte> rest = bytes.AsSpan(5, 6);
        Assert.True(reader.TryRead(ref rest, out var kind, out var payload));
        Assert.Equal((WebSocketFrameKind.Text, "{\"seq\":1}"), (kind, Encoding.UTF8.GetString(payload)));
        Assert.False(reader.TryRead(ref rest, out _, out _));
        Assert.False(reader.Holding);
    }

    [Theory]
    [InlineData(new byte[] { 0x81, 0x81, 1, 2, 3, 4, 5 })] // masked: a server must not mask
    [InlineData(new byte[] { 0xC1, 0x01, 0x41 })]          // RSV1 without an extension
    [InlineData(new byte[] { 0x83, 0x00 })]                // reserved opcode 3
    [InlineData(new byte[] { 0x09, 0x00 })]                // a ping that is not final
    [InlineData(new byte[] { 0x80, 0x01, 0x41 })]          // a continuation with nothing to continue
    [InlineData(new byte[] { 0x82, 0x7F, 0, 0, 0, 0, 0x10, 0, 0, 1 })] // a frame over 16 MiB
    public void TryRead_FrameNoServerMaySend_Throws(byte[] bytes)
    {
        using var reader = new WebSocketMessageReader();

        Assert.Throws<WebSocketException>(() =>
        {
            ReadOnlySpan<byte> span = bytes;
            while (reader.TryRead(ref span, out _, out _))
            {
            }
        });
    }

    private static void AssertExpected(List<(WebSocketFrameKind Kind, byte[] Payload)> frames)
    {
        Assert.Equal(Expected.Length, frames.Count);
        for (var i = 0; i < Expected.Length - 1; i++)
        {
            Assert.Equal(Expected[i].Kind, frames[i].Kind);
            Assert.Equal(Expected[i].Payload, Encoding.UTF8.GetString(frames[i].Payload));
        }

        // The close frame: status 4410 in two big-endian bytes, then the reason.
        var close = frames[^1];
        Assert.Equal(WebSocketFrameKind.Close, close.Kind);
        Assert.Equal(4410, (close.Payload[0] << 8) | close.Payload[1]);
        Assert.Equal("gone", Encoding.UTF8.GetString(close.Payload.AsSpan(2)));
    }

    private static List<(WebSocketFrameKind Kind, byte[] Payload)> ReadAll(WebSocketMessageReader reader, IEnumerable<byte[]> reads)
    {
        var frames = new List<(WebSocketFrameKind, byte[])>();
        foreach (var read in reads)
        {
            ReadOnlySpan<byte> bytes = read;
            while (reader.TryRead(ref bytes, out var kind, out var payload))
            {
                frames.Add((kind, payload.ToArray()));
            }

            Assert.True(bytes.IsEmpty);
        }

        return frames;
    }
}
