using System.Buffers.Binary;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace LoadBench.Target.Tests.Hostile;

/// <summary>
/// A WebSocket client written on a plain socket, so a test can send what no well-behaved client library would:
/// data to the receive-only feed, frames declaring huge lengths, floods.
/// </summary>
internal sealed class RawWebSocket : IDisposable
{
    private readonly TcpClient _client;
    private readonly NetworkStream _stream;
    private readonly List<byte> _unread = [];

    private RawWebSocket(TcpClient client)
    {
        _client = client;
        _stream = client.GetStream();
    }

    /// <summary>Opens a socket and sends an upgrade request with exactly <paramref name="headers"/>; returns the socket
    /// and the response head.</summary>
    public static async Task<(RawWebSocket Socket, string Head)> UpgradeAsync(Uri baseAddress, string pathAndQuery, params string[] headers)
    {
        var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync(baseAddress.Host, baseAddress.Port);
        var socket = new RawWebSocket(client);
        var request = $"GET {pathAndQuery} HTTP/1.1\r\nHost: {baseAddress.Authority}\r\n" + string.Concat(headers.Select(h => h + "\r\n")) + "\r\n";
        await socket.WriteAsync(Encoding.ASCII.GetBytes(request));
        return (socket, await socket.ReadHeadAsync());
    }

    /// <summary>The headers of a valid upgrade (RFC 6455 section 4.1).</summary>
    public static string[] ValidUpgradeHeaders() =>
        ["Connection: Upgrade", "Upgrade: websocket", "Sec-WebSocket-Version: 13", $"Sec-WebSocket-Key: {Convert.ToBase64String(RandomNumberGenerator.GetBytes(16))}"];

    public static async Task<RawWebSocket> ConnectAsync(Uri baseAddress, string pathAndQuery)
    {
        var (socket, head) = await UpgradeAsync(baseAddress, pathAndQuery, ValidUpgradeHeaders());
        Assert.StartsWith("HTTP/1.1 101", head, StringComparison.Ordinal);
        return socket;
    }

    /// <summary>One frame, masked as a client must, with the length it declares (<paramref name="declaredLength"/>,
    /// default the payload's) and the payload bytes actually sent.</summary>
    public static byte[] Frame(int opcode, ReadOnlySpan<byte> payload, bool fin = true, long? declaredLength = null)
    {
        var length = declaredLength ?? payload.Length;
        using var frame = new MemoryStream();
        frame.WriteByte((byte)((fin ? 0x80 : 0) | opcode));
        const int maskBit = 0x80;
        if (length < 126)
        {
            frame.WriteByte((byte)(maskBit | (int)length));
        }
        else if (length <= ushort.MaxValue)
        {
            frame.WriteByte((byte)(maskBit | 126));
            Span<byte> extended = stackalloc byte[2];
            BinaryPrimitives.WriteUInt16BigEndian(extended, (ushort)length);
            frame.Write(extended);
        }
        else
        {
            frame.WriteByte((byte)(maskBit | 127));
            Span<byte> extended = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64BigEndian(extended, (ulong)length);
            frame.Write(extended);
        }

        var body = payload.ToArray();
        var mask = RandomNumberGenerator.GetBytes(4);
        frame.Write(mask);
        for (var i = 0; i < body.Length; i++)
        {
            body[i] ^= mask[i % 4];
        }

        frame.Write(body);
        return frame.ToArray();
    }

    public async Task WriteAsync(byte[] bytes)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _stream.WriteAsync(bytes, timeout.Token);
    }

    /// <summary>Reads frames until the server's close frame and answers it, as a client must; returns its status
    /// and reason. Text frames before it (feed events) are skipped.</summary>
    public async Task<(int Status, string Reason)> ReadCloseAsync()
    {
        while (true)
        {
            var (opcode, payload) = await ReadFrameAsync();
            if (opcode != 8)
            {
                continue;
            }

            try
            {
                await WriteAsync(Frame(8, payload.AsSpan(0, Math.Min(2, payload.Length))));
            }
            catch (IOException)
            {
                // The server may already have gone; its close is what the test wanted.
            }

            return payload.Length >= 2
                ? (BinaryPrimitives.ReadUInt16BigEndian(payload), Encoding.UTF8.GetString(payload, 2, payload.Length - 2))
                : (1005, "");
        }
    }

    public void Dispose()
    {
        _stream.Dispose();
        _client.Dispose();
    }

    private async Task<string> ReadHeadAsync()
    {
        while (true)
        {
            var end = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_unread).IndexOf("\r\n\r\n"u8);
            if (end >= 0)
            {
                return Encoding.ASCII.GetString(Take(end + 4));
            }

            if (await FillAsync() == 0)
            {
                return Encoding.ASCII.GetString(Take(_unread.Count));
            }
        }
    }

    private async Task<(int Opcode, byte[] Payload)> ReadFrameAsync()
    {
        var header = await ReadExactlyAsync(2);
        var opcode = header[0] & 0x0F;
        long length = header[1] & 0x7F;
        if (length == 126)
        {
            length = BinaryPrimitives.ReadUInt16BigEndian(await ReadExactlyAsync(2));
        }
        else if (length == 127)
        {
            length = (long)BinaryPrimitives.ReadUInt64BigEndian(await ReadExactlyAsync(8));
        }

        // Server frames are never masked (RFC 6455 section 5.1).
        return (opcode, await ReadExactlyAsync(checked((int)length)));
    }

    private async Task<byte[]> ReadExactlyAsync(int count)
    {
        while (_unread.Count < count)
        {
            if (await FillAsync() == 0)
            {
                throw new EndOfStreamException($"The server closed the connection with {_unread.Count} of {count} bytes of a frame read.");
            }
        }

        return Take(count);
    }

    private async Task<int> FillAsync()
    {
        var buffer = new byte[16 * 1024];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var read = await _stream.ReadAsync(buffer, timeout.Token);
        _unread.AddRange(buffer.AsSpan(0, read));
        return read;
    }

    private byte[] Take(int count)
    {
        var taken = _unread.GetRange(0, count).ToArray();
        _unread.RemoveRange(0, count);
        return taken;
    }
}
