using LoadBench.Engine.Metrics;

namespace LoadBench.Engine.Tests.Metrics;

/// <summary>
/// The HTTP/2 split on hand-built frames: only HPACK header-block bytes are headers; the preface, frame headers,
/// pad length, priority fields, padding and control frames are not. Fed whole and one byte at a time.
/// </summary>
public sealed class Http2FrameScannerTests
{
    private static byte[] Frame(byte type, byte flags, int stream, byte[] payload)
    {
        var frame = new byte[9 + payload.Length];
        frame[0] = (byte)(payload.Length >> 16);
        frame[1] = (byte)(payload.Length >> 8);
        frame[2] = (byte)payload.Length;
        frame[3] = type;
        frame[4] = flags;
        frame[5] = (byte)(stream >> 24);
        frame[6] = (byte)(stream >> 16);
        frame[7] = (byte)(stream >> 8);
        frame[8] = (byte)stream;
        payload.CopyTo(frame, 9);
        return frame;
    }

    private static byte[] Bytes(int count, byte value = 0x41) => Enumerable.Repeat(value, count).ToArray();

    /// <summary>A client's opening: the preface 24, SETTINGS with two settings (9 + 12), WINDOW_UPDATE (9 + 4),
    /// HEADERS with END_HEADERS and a 17-byte block (9 + 17), then a PING (9 + 8): 17 header bytes of 92.</summary>
    private static byte[] ClientOpening() =>
    [
        .. "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray(),
        .. Frame(0x4, 0, 0, Bytes(12, 0)),
        .. Frame(0x8, 0, 0, [0, 0, 0x10, 0]),
        .. Frame(0x1, 0x4, 1, Bytes(17)),
        .. Frame(0x6, 0, 0, Bytes(8, 0)),
    ];

    /// <summary>A server's answer: SETTINGS (9 + 6), SETTINGS ACK (9), HEADERS PADDED|PRIORITY without END_HEADERS:
    /// pad length 1 + priority 5 + block 20 + padding 3 (9 + 29), CONTINUATION with an 11-byte block (9 + 11), DATA
    /// 46 (9 + 46), RST_STREAM (9 + 4), GOAWAY (9 + 8): 31 header bytes of 157.</summary>
    private static byte[] ServerAnswer() =>
    [
        .. Frame(0x4, 0, 0, Bytes(6, 0)),
        .. Frame(0x4, 0x1, 0, []),
        .. Frame(0x1, 0x8 | 0x20, 1, [3, .. Bytes(5, 0), .. Bytes(20), .. Bytes(3, 0)]),
        .. Frame(0x9, 0x4, 1, Bytes(11)),
        .. Frame(0x0, 0x1, 1, Bytes(46)),
        .. Frame(0x3, 0, 1, Bytes(4, 0)),
        .. Frame(0x7, 0, 0, Bytes(8, 0)),
    ];

    [Fact]
    public void Frames_HaveTheLengthsCountedByHand()
    {
        Assert.Equal(24 + 21 + 13 + 26 + 17, ClientOpening().Length);
        Assert.Equal(15 + 9 + 38 + 20 + 55 + 13 + 17, ServerAnswer().Length);
    }

    [Fact]
    public void Scan_ClientOpening_CountsOnlyTheHeaderBlock()
    {
        var scanner = new Http2FrameScanner(fromClient: true);
        Assert.Equal(17, scanner.Scan(ClientOpening()));
        Assert.Equal(4, scanner.Frames);
    }

    [Fact]
    public void Scan_ServerAnswer_LeavesPaddingPriorityAndControlFramesOut()
    {
        var scanner = new Http2FrameScanner(fromClient: false);
        Assert.Equal(20 + 11, scanner.Scan(ServerAnswer()));
        Assert.Equal(7, scanner.Frames);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Scan_OneByteAtATime_CountsTheSame(bool fromClient)
    {
        var bytes = fromClient ? ClientOpening() : ServerAnswer();
        var scanner = new Http2FrameScanner(fromClient);
        var head = 0;
        foreach (var b in bytes)
        {
            head += scanner.Scan([b]);
        }

        Assert.Equal(fromClient ? 17 : 31, head);
    }

    [Fact]
    public void Scan_SplitInsideAFrameHeaderAndABlock_CountsTheSame()
    {
        var bytes = ServerAnswer();
        var scanner = new Http2FrameScanner(fromClient: false);
        // Cut inside SETTINGS ACK's header (byte 20) and inside the padded HEADERS block (byte 40).
        var head = scanner.Scan(bytes.AsSpan(0, 20)) + scanner.Scan(bytes.AsSpan(20, 20)) + scanner.Scan(bytes.AsSpan(40));
        Assert.Equal(31, head);
    }

    /// <summary>A server's side of WebSockets over HTTP/2 with permessage-deflate: stream 1 answered 200 (0x88), stream 3
    /// 404 (static entry 13, 0x8d). Stream 1's DATA carry WebSocket frames — a padded DATA with a 5-byte compressed text
    /// frame and a ping, then a 7-byte frame split across two DATA frames (its header in the first) — and stream 3's
    /// DATA is an error body. Only the two text frames' payloads, 5 + 7, are WebSocket data.</summary>
    private static byte[] WebSocketAnswers() =>
    [
        .. Frame(0x1, 0x4, 1, [0x88, 0x00, 0x01, 0x78, 0x01, 0x79]),
        .. Frame(0x1, 0x4, 3, [0x8d]),
        .. Frame(0x0, 0x8, 1, [3, 0xC1, 5, .. Bytes(5), 0x89, 2, 0x70, 0x71, 0, 0, 0]),
        .. Frame(0x0, 0, 1, [0xC1, 7, .. Bytes(3)]),
        .. Frame(0x0, 0, 3, [0xC1, 7, .. Bytes(8)]),
        .. Frame(0x0, 0x1, 1, Bytes(4)),
    ];

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Scan_WebSocketData_CountsTheMessagePayloadsOfStreamsAnswered200(bool trickle)
    {
        var bytes = WebSocketAnswers();
        var scanner = new Http2FrameScanner(fromClient: false, webSocketData: true);
        var head = 0;
        if (trickle)
        {
            foreach (var b in bytes)
            {
                head += scanner.Scan([b]);
            }
        }
        else
        {
            head = scanner.Scan(bytes);
        }

        Assert.Equal(6 + 1, head);
        Assert.Equal(5 + 7, scanner.WebSocketDataBytes);
        Assert.Equal(6, scanner.Frames);

        // Without webSocketData nothing is taken for WebSocket data, and the headers are the same.
        var plain = new Http2FrameScanner(fromClient: false);
        Assert.Equal(7, plain.Scan(bytes));
        Assert.Equal(0, plain.WebSocketDataBytes);
    }
}
