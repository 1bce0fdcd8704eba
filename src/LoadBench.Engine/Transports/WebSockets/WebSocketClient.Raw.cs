using System.Buffers;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using LoadBench.Engine.Metrics;
using LoadBench.Engine.Transports.Connections;

namespace LoadBench.Engine.Transports.WebSockets;

/// <summary>
/// The raw path of <see cref="WebSocketClient"/>: in the default setup (plain HTTP/1.1, no compression, a
/// connection of its own) the client writes the upgrade request itself on a counted socket, reads the 101 with
/// the same <see cref="HttpMessageScanner"/> that counts head bytes everywhere, checks its
/// <c>Sec-WebSocket-Accept</c>, and reads the session's frames from the socket itself
/// (<c>WebSocketClient.RawFrames.cs</c>).
/// </summary>
/// <remarks>
/// Why (issue 14, memory per subscriber): after a ClientWebSocket upgrade the session still reads and writes
/// through the HTTP/1.1 connection HttpClient opened for it, which keeps its 4 KiB read and 4 KiB write buffers
/// for the session's life, beside the handler stack each client owned and the kept response. Here a session holds
/// the socket and the state of its receive loop.
/// </remarks>
internal sealed partial class WebSocketClient
{
    // A 101 is ~130 bytes; a refusal's head a few hundred.
    private const int MaxHeadBytes = 8192;

    private const string AcceptGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    private readonly Uri _wsUri;

    private async Task<bool> ReceiveRawSessionAsync(CancellationToken cancellationToken)
    {
        var socket = await LoopbackConnector.ConnectRawAsync(_wsUri.Host, _wsUri.Port, _core.Options.Connections, cancellationToken);
        // The handshake goes through the counting stream (its scanners find the heads); the session reads the socket
        // itself and drops the stream, so an idle subscriber keeps neither it nor its scanners.
        Stream? handshake = new CountingStream(new NetworkStream(socket, ownsSocket: true), _core.Meter);
        try
        {
            var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
            var head = Encoding.ASCII.GetBytes(string.Concat(
                "GET ", _wsUri.AbsolutePath, "?after=", _core.After.ToString(CultureInfo.InvariantCulture), _core.EpochQuery, _heartbeatQuery,
                " HTTP/1.1\r\nHost: ", _wsUri.Authority,
                "\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: ", key, "\r\nSec-WebSocket-Version: 13\r\n\r\n"));
            await handshake.WriteAsync(head, cancellationToken);
            var rest = await ReadUpgradeAsync(handshake, key, cancellationToken);
            if (rest is null)
            {
                return false; // refused, counted
            }

            handshake = null; // it holds no bytes (NetworkStream does not buffer); the socket is closed below
            return await ReceiveRawFramesAsync(socket, rest, cancellationToken);
        }
        finally
        {
            if (handshake is not null)
            {
                await handshake.DisposeAsync();
            }
            else
            {
                socket.Dispose();
            }
        }
    }

    /// <summary>Reads the answer to the upgrade: after a valid 101 the bytes that came after its head (the first
    /// frames, already counted; usually none), or null after a refusal, which is read to its end (its bytes are on
    /// the meter) and counted by status like the ClientWebSocket path counts it.</summary>
    private async Task<byte[]?> ReadUpgradeAsync(Stream stream, string key, CancellationToken cancellationToken)
    {
        var scanner = new HttpMessageScanner(isResponse: true);
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

                var read = await stream.ReadAsync(buffer.AsMemory(filled), cancellationToken);
                if (read == 0)
                {
                    throw new HttpIOException(HttpRequestError.ResponseEnded, "The target closed the connection before the upgrade was answered.");
                }

                var head = scanner.Scan(buffer.AsSpan(filled, read));
                filled += read;
                if (scanner.Upgraded || scanner.Status >= 200)
                {
                    // The final head ended in this read; its bytes come first in it.
                    headLength = filled - read + head;
                    break;
                }
            }

            if (!scanner.Upgraded)
            {
                var status = scanner.Status;
                await ReadToEndAsync(stream, ResponseBodyReader.For(scanner.Chunked, scanner.ContentLength), buffer, headLength, filled, cancellationToken);
                if (status is 200)
                {
                    throw new WebSocketException(WebSocketError.NotAWebSocket, "The target answered the upgrade with 200, not 101.");
                }

                _core.Fail(ErrorKinds.Http((HttpStatusCode)status));
                return null;
            }

            if (!AcceptMatches(buffer.AsSpan(0, headLength), key))
            {
                throw new WebSocketException(WebSocketError.HeaderError, "The 101's Sec-WebSocket-Accept does not match the key sent.");
            }

            return buffer.AsSpan(headLength, filled - headLength).ToArray();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Reads a refusal's body to its end (or the connection's), so every byte of it is counted.</summary>
    private static async Task ReadToEndAsync(
        Stream stream, ResponseBodyReader body, byte[] buffer, int start, int end, CancellationToken cancellationToken)
    {
        while (!Consume(body, buffer.AsSpan(start, end - start)))
        {
            end = await stream.ReadAsync(buffer, cancellationToken);
            start = 0;
            if (end == 0)
            {
                return; // the connection's end ends the body (or cuts it: nothing more to count either way)
            }
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
