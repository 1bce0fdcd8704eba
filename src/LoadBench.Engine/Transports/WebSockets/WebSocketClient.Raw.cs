using System.Buffers;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using LoadBench.Contracts;
using LoadBench.Engine.Metrics;
using LoadBench.Engine.Transports.Connections;

namespace LoadBench.Engine.Transports.WebSockets;

/// <summary>
/// The raw path of <see cref="WebSocketClient"/>: in the default setup (plain HTTP/1.1, no compression, a
/// connection of its own) the client writes the upgrade request itself on a counted socket, reads the 101 with
/// the same <see cref="HttpMessageScanner"/> that counts head bytes everywhere, checks its
/// <c>Sec-WebSocket-Accept</c>, and reads the session's frames from the socket itself
/// (<c>WebSocketClient.RawFrames.cs</c>). Every byte goes on the meter as it is sent or read, as
/// <c>SseClient.Raw.cs</c> counts its stream.
/// </summary>
/// <remarks>
/// Why (issue 14, memory per subscriber): after a ClientWebSocket upgrade the session still reads and writes
/// through the HTTP/1.1 connection HttpClient opened for it, which keeps its 4 KiB read and 4 KiB write buffers
/// for the session's life, beside the handler stack each client owned and the kept response. Here a session holds
/// the socket and the state of its receive loop: one async state (the session's; the upgrade's is gone once it
/// returned), one cached <see cref="SocketAsyncEventArgs"/> (the receive's), no stream, key, request head or address.
/// </remarks>
internal sealed partial class WebSocketClient
{
    // A 101 is ~130 bytes; a refusal's head a few hundred.
    private const int MaxHeadBytes = 8192;

    private const string AcceptGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    /// <summary>Writes the upgrade and reads its answer on the socket, every byte on the meter as it passes (the
    /// request all head; the answer's head bytes found by <see cref="HttpMessageScanner"/>, as the counting stream
    /// found them). After a valid 101 it counts the session's request and hands the bytes that came after the head
    /// (the first frames, usually none) to <paramref name="reader"/>: true. After a refusal, which is read to its end
    /// and counted by status like the ClientWebSocket path counts it: false.</summary>
    /// <remarks>The head is sent synchronously (<see cref="LoopbackConnector.SendHead"/>: no second cached
    /// <see cref="SocketAsyncEventArgs"/> for a connection that sends nothing more unless pinged). The answer
    /// is waited for with a zero-byte receive: no buffer is held while the target has not answered (thousands of
    /// upgrades can be in flight while a plan starts its subscribers).</remarks>
    private async Task<bool> UpgradeAsync(Socket socket, WebSocketMessageReader reader)
    {
        // The address is made per connection, not kept per client: an idle subscriber keeps no Uri of its own.
        var wsUri = new Uri(_core.Options.BaseUri, FeedRoutes.WebSocket);
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        var head = Encoding.ASCII.GetBytes(string.Concat(
            "GET ", wsUri.AbsolutePath, "?after=", _core.After.ToString(CultureInfo.InvariantCulture), _core.EpochQuery, _heartbeatQuery,
            " HTTP/1.1\r\nHost: ", wsUri.Authority,
            "\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: ", key, "\r\nSec-WebSocket-Version: 13\r\n\r\n"));
        LoopbackConnector.SendHead(socket, head, _core.Meter);

        var scanner = new HttpMessageScanner(isResponse: true);
        await socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None, CancellationToken.None);
        var buffer = ArrayPool<byte>.Shared.Rent(MaxHeadBytes);
        try
        {
            var filled = 0;
            int headLength;
            while (true)
            {
                if (filled == buffer.Length)
                {
                    throw new HttpIOException(HttpRequestError.InvalidResponse, "The answer to the upgrade has a head over 8 KiB.");
                }

                var read = await socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, CancellationToken.None);
                if (read == 0)
                {
                    throw new HttpIOException(HttpRequestError.ResponseEnded, "The target closed the connection before the upgrade was answered.");
                }

                var headBytes = scanner.Scan(buffer.AsSpan(filled, read));
                _core.Meter.OnRead(read, headBytes);
                filled += read;
                if (scanner.Upgraded || scanner.Status >= 200)
                {
                    // The final head ended in this read; its bytes come first in it.
                    headLength = filled - read + headBytes;
                    break;
                }
            }

            if (!scanner.Upgraded)
            {
                var status = scanner.Status;
                await ReadToEndAsync(socket, scanner, ResponseBodyReader.For(scanner.Chunked, scanner.ContentLength), buffer, headLength, filled);
                if (status is 200)
                {
                    throw new WebSocketException(WebSocketError.NotAWebSocket, "The target answered the upgrade with 200, not 101.");
                }

                _core.Fail(ErrorKinds.Http((HttpStatusCode)status));
                return false;
            }

            if (!AcceptMatches(buffer.AsSpan(0, headLength), key))
            {
                throw new WebSocketException(WebSocketError.HeaderError, "The 101's Sec-WebSocket-Accept does not match the key sent.");
            }

            _core.Counters.Request();
            _core.Backoff.Reset();
            // The bytes that came with the 101 (already counted) are the first frames.
            Take(reader, buffer.AsSpan(headLength, filled - headLength));
            return true;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Reads a refusal's body to its end (or the connection's), every byte of it on the meter.</summary>
    private async Task ReadToEndAsync(
        Socket socket, HttpMessageScanner scanner, ResponseBodyReader body, byte[] buffer, int start, int end)
    {
        while (!Consume(body, buffer.AsSpan(start, end - start)))
        {
            end = await socket.ReceiveAsync(buffer, SocketFlags.None, CancellationToken.None);
            start = 0;
            if (end == 0)
            {
                return; // the connection's end ends the body (or cuts it: nothing more to count either way)
            }

            _core.Meter.OnRead(end, scanner.Scan(buffer.AsSpan(0, end)));
        }
    }

    private static bool Consume(ResponseBodyReader body, ReadOnlySpan<byte> bytes)
    {
        while (body.TryRead(ref bytes, out _))
        {
        }

        return body.Ended;
    }

    private static bool AcceptMatches(ReadOnlySpan<byte> head, string key)
    {
#pragma warning disable CA5350 // RFC 6455 defines the accept value with SHA-1; nothing secret is protected here
        var expected = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + AcceptGuid)));
#pragma warning restore CA5350
        foreach (var range in head.Split("\r\n"u8))
        {
            var line = head[range];
            var colon = line.IndexOf((byte)':');
            if (colon > 0 && Ascii.EqualsIgnoreCase(line[..colon], "Sec-WebSocket-Accept"u8))
            {
                return Ascii.Equals(line[(colon + 1)..].Trim(" \t"u8), expected);
            }
        }

        return false;
    }
}
