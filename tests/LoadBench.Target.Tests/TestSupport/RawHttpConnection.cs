using System.Net.Sockets;
using System.Text;

namespace LoadBench.Target.Tests.TestSupport;

/// <summary>
/// HTTP/1.1 over a plain socket, so a test knows every byte that crossed it: what it wrote, what it read, and
/// where each response head ends. Deliberately simple: one request at a time.
/// </summary>
public sealed class RawHttpConnection : IDisposable
{
    private readonly TcpClient _client;
    private readonly NetworkStream _stream;
    private readonly List<byte> _unread = [];

    private RawHttpConnection(TcpClient client)
    {
        _client = client;
        _stream = client.GetStream();
    }

    public long BytesWritten { get; private set; }
    public long BytesRead { get; private set; }

    /// <summary>Bytes of every response head read so far (status line to blank line).</summary>
    public long ResponseHeadBytes { get; private set; }

    public static async Task<RawHttpConnection> OpenAsync(Uri baseAddress)
    {
        var client = new TcpClient();
        await client.ConnectAsync(baseAddress.Host, baseAddress.Port);
        client.NoDelay = true;
        return new RawHttpConnection(client);
    }

    public async Task SendGetAsync(string pathAndQuery, params string[] extraHeaders)
    {
        var request = $"GET {pathAndQuery} HTTP/1.1\r\nHost: 127.0.0.1\r\n" + string.Concat(extraHeaders.Select(h => h + "\r\n")) + "\r\n";
        var bytes = Encoding.ASCII.GetBytes(request);
        await _stream.WriteAsync(bytes);
        BytesWritten += bytes.Length;
    }

    /// <summary>Writes raw bytes (after an upgrade: frames the test built by hand).</summary>
    public async Task WriteAsync(byte[] bytes)
    {
        await _stream.WriteAsync(bytes);
        BytesWritten += bytes.Length;
    }

    /// <summary>Reads one response head; returns it as text.</summary>
    public async Task<string> ReadHeadAsync()
    {
        while (true)
        {
            var end = IndexOf(_unread, "\r\n\r\n"u8);
            if (end >= 0)
            {
                var head = Take(end + 4);
                ResponseHeadBytes += head.Length;
                return Encoding.ASCII.GetString(head);
            }

            await FillAsync();
        }
    }

    /// <summary>Reads exactly <paramref name="count"/> body bytes.</summary>
    public async Task<byte[]> ReadBodyAsync(int count)
    {
        while (_unread.Count < count)
        {
            await FillAsync();
        }

        return Take(count);
    }

    /// <summary>Reads until the server closes the connection; returns what came.</summary>
    public async Task<byte[]> ReadToEndAsync()
    {
        while (await FillAsync() > 0)
        {
        }

        return Take(_unread.Count);
    }

    /// <summary>Reads until <paramref name="marker"/> has been seen <paramref name="times"/> times in what came after the head.</summary>
    public async Task<byte[]> ReadUntilAsync(string marker, int times)
    {
        var needle = Encoding.ASCII.GetBytes(marker);
        while (Count(_unread, needle) < times)
        {
            if (await FillAsync() == 0)
            {
                break;
            }
        }

        return [.. _unread];
    }

    public void Dispose()
    {
        _stream.Dispose();
        _client.Dispose();
    }

    private async Task<int> FillAsync()
    {
        var buffer = new byte[16 * 1024];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var read = await _stream.ReadAsync(buffer, timeout.Token);
        BytesRead += read;
        _unread.AddRange(buffer.AsSpan(0, read));
        return read;
    }

    private byte[] Take(int count)
    {
        var taken = _unread.GetRange(0, count).ToArray();
        _unread.RemoveRange(0, count);
        return taken;
    }

    private static int IndexOf(List<byte> haystack, ReadOnlySpan<byte> needle) =>
        System.Runtime.InteropServices.CollectionsMarshal.AsSpan(haystack).IndexOf(needle);

    private static int Count(List<byte> haystack, ReadOnlySpan<byte> needle)
    {
        var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(haystack);
        var count = 0;
        for (var at = span.IndexOf(needle); at >= 0; at = span.IndexOf(needle))
        {
            count++;
            span = span[(at + needle.Length)..];
        }

        return count;
    }
}
