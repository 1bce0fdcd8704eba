using System.Text;
using LoadBench.Engine.Metrics;

namespace LoadBench.Engine.Tests.Metrics;

/// <summary>The scanners find the compressed body on the wire byte-exactly, whole or one byte per call: the bytes
/// of bodies sent with a Content-Encoding (chunk lines left out), and the payloads of WebSocket data frames
/// (headers, extended lengths, masks and control frames left out).</summary>
public sealed class EncodedBodyScanTests
{
    // A chunked gzip body (chunks of 4 and 3 bytes), then a plain Content-Length body, then a br body of 5.
    private const string Wire =
        "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n" + "4\r\nabcd\r\n3\r\nefg\r\n0\r\n\r\n"
        + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n[]"
        + "HTTP/1.1 200 OK\r\ncontent-encoding: br\r\nContent-Length: 5\r\n\r\nvwxyz";

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void HttpScanner_CountsOnlyEncodedBodyBytes(bool trickle)
    {
        var scanner = new HttpMessageScanner(isResponse: true);
        var bytes = Encoding.ASCII.GetBytes(Wire);
        if (trickle)
        {
            foreach (var b in bytes)
            {
                scanner.Scan([b]);
            }
        }
        else
        {
            scanner.Scan(bytes);
        }

        Assert.Equal(4 + 3 + 5, scanner.EncodedBodyBytes);
        Assert.Equal(ContentCoding.Brotli, scanner.Coding);
        Assert.Equal(3, scanner.CompletedMessages);
    }

    [Theory]
    [InlineData("gzip", "Gzip")]
    [InlineData(" BR ", "Brotli")]
    [InlineData("identity", "None")]
    [InlineData("deflate", "Other")]
    [InlineData("gzip, br", "Other")]
    public void ContentCodings_Parse(string value, string expected) =>
        Assert.Equal(expected, ContentCodings.Parse(Encoding.ASCII.GetBytes(value)).ToString());

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void FrameScanner_CountsDataFramePayloadsOnly(bool trickle)
    {
        var long200 = new byte[200];
        byte[] wire =
        [
            0xC1, 3, 1, 2, 3,                              // compressed text frame, 3 payload bytes
            0x01, 2, 4, 5,                                 // text frame, not final: 2
            0x89, 1, 9,                                    // ping between fragments: control, 1
            0x80, 126, 0, 200, .. long200,                 // final continuation with a 16-bit length: 200
            0x82, 0x82, 10, 11, 12, 13, 6, 7,              // masked binary frame: 4-byte key, 2
            0x88, 2, 0x03, 0xE8,                           // close 1000: control, 2
        ];
        var scanner = new WebSocketFrameScanner();
        if (trickle)
        {
            foreach (var b in wire)
            {
                scanner.Scan([b]);
            }
        }
        else
        {
            scanner.Scan(wire);
        }

        Assert.Equal(3 + 2 + 200 + 2, scanner.DataPayloadBytes);
        Assert.Equal(6, scanner.Frames);
    }
}
