using System.Text;
using LoadBench.Engine.Metrics;

namespace LoadBench.Engine.Tests.Metrics;

public sealed class HttpMessageScannerTests
{
    // Two responses on one keep-alive connection, a chunked one with an extension and a Content-Length one,
    // then a 204 and a 101 whose following bytes are WebSocket frames.
    private const string Head1 = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";                 // 17 + 28 + 2 = 47
    private const string Body1 = "5;ext=1\r\nhello\r\n0\r\n\r\n";                                         // 9 + 5 + 2 + 3 + 2 = 21
    private const string Head2 = "HTTP/1.1 200 OK\r\ncontent-length: 3\r\n\r\n";                           // 17 + 19 + 2 = 38
    private const string Body2 = "abc";
    private const string Head3 = "HTTP/1.1 204 No Content\r\n\r\n";                                        // 25 + 2 = 27
    private const string Head4 = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n";      // 34 + 20 + 2 = 56
    private const string Frames = "\u0081\u0003xyz";                                                       // not a head: "\r\n\r\n" never looked for
    private const string Wire = Head1 + Body1 + Head2 + Body2 + Head3 + Head4 + Frames;

    [Fact]
    public void Scan_WholeConnection_CountsOnlyHeadBytes()
    {
        var scanner = new HttpMessageScanner(isResponse: true);

        var heads = scanner.Scan(Encoding.Latin1.GetBytes(Wire));

        Assert.Equal(47 + 38 + 27 + 56, heads);
        Assert.Equal(Head1.Length + Head2.Length + Head3.Length + Head4.Length, heads);
        Assert.True(scanner.Upgraded);
    }

    [Fact]
    public void Scan_OneBytePerCall_CountsTheSame()
    {
        var scanner = new HttpMessageScanner(isResponse: true);

        var heads = 0;
        foreach (var b in Encoding.Latin1.GetBytes(Wire))
        {
            heads += scanner.Scan([b]);
        }

        Assert.Equal(47 + 38 + 27 + 56, heads);
    }

    [Fact]
    public void Scan_RequestsWithoutBodies_AreAllHead()
    {
        var scanner = new HttpMessageScanner(isResponse: false);
        const string requests = "GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n";

        Assert.Equal(requests.Length, scanner.Scan(Encoding.ASCII.GetBytes(requests)));
    }

    [Fact]
    public void Scan_ResponseWithoutLength_BodyRunsToTheEnd()
    {
        var scanner = new HttpMessageScanner(isResponse: true);
        const string head = "HTTP/1.1 200 OK\r\n\r\n";

        Assert.Equal(head.Length, scanner.Scan(Encoding.ASCII.GetBytes(head + "HTTP/1.1 200 OK\r\n\r\n")));
    }

    [Fact]
    public void Scan_OneBytePerCall_ReportsEachMessageEndAndItsHead()
    {
        var scanner = new HttpMessageScanner(isResponse: true);
        var ends = new List<(int Offset, int Status, long ContentLength, bool Chunked)>();
        var bytes = Encoding.Latin1.GetBytes(Head1 + Body1 + Head2 + Body2 + Head3);

        for (var i = 0; i < bytes.Length; i++)
        {
            var before = scanner.CompletedMessages;
            scanner.Scan(bytes.AsSpan(i, 1));
            if (scanner.CompletedMessages != before)
            {
                ends.Add((i + 1, scanner.Status, scanner.ContentLength, scanner.Chunked));
            }
        }

        // Each message ends on its own last byte: 47 + 21, then + 38 + 3, then + 27.
        Assert.Equal([(68, 200, -1L, true), (109, 200, 3L, false), (136, 204, -1L, false)], ends);
    }

    [Fact]
    public void Scan_InterimThenFinal_CountsOneMessage()
    {
        var scanner = new HttpMessageScanner(isResponse: true);

        scanner.Scan(Encoding.ASCII.GetBytes("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"));

        Assert.Equal((1L, 200), (scanner.CompletedMessages, scanner.Status));
    }

    [Fact]
    public void ScanMessage_TwoResponsesInOneRead_StopsAtTheEndOfTheFirst()
    {
        var scanner = new HttpMessageScanner(isResponse: true);
        var bytes = Encoding.Latin1.GetBytes(Head1 + Body1 + Head2 + Body2);

        var firstHead = scanner.ScanMessage(bytes, out var firstConsumed);
        var secondHead = scanner.ScanMessage(bytes.AsSpan(firstConsumed), out var secondConsumed);

        Assert.Equal((47, 47 + 21), (firstHead, firstConsumed));
        Assert.Equal((38, 38 + 3), (secondHead, secondConsumed));
        Assert.Equal(2, scanner.CompletedMessages);
    }
}
