using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace LoadBench.Target.Tests.Hostile;

/// <summary>Bytes no HTTP client library would send, on a plain socket; the answer read until the server closes.</summary>
internal static class RawExchange
{
    /// <summary>Sends <paramref name="request"/> in pieces (pausing <paramref name="pause"/> between them), optionally
    /// half-closes, and reads until the server closes (at most 10 s). Returns everything it answered.</summary>
    public static async Task<string> SendAsync(Uri baseAddress, IReadOnlyList<byte[]> pieces, TimeSpan pause = default, bool halfClose = false)
    {
        using var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync(baseAddress.Host, baseAddress.Port);
        var stream = client.GetStream();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        foreach (var piece in pieces)
        {
            await stream.WriteAsync(piece, timeout.Token);
            if (pause > TimeSpan.Zero)
            {
                await Task.Delay(pause, timeout.Token);
            }
        }

        if (halfClose)
        {
            client.Client.Shutdown(SocketShutdown.Send);
        }

        using var answer = new MemoryStream();
        var buffer = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer, timeout.Token)) > 0)
            {
                answer.Write(buffer, 0, read);
            }
        }
        catch (IOException)
        {
            // A reset after the answer: what came before it is what the test judges.
        }

        // One char per byte, so chunk sizes and offsets stay byte counts; bodies are decoded as UTF-8 when read.
        return Encoding.Latin1.GetString(answer.ToArray());
    }

    public static Task<string> SendAsync(Uri baseAddress, string request, bool halfClose = false) =>
        SendAsync(baseAddress, [Encoding.Latin1.GetBytes(request)], halfClose: halfClose);

    /// <summary>The status codes of every response in <paramref name="answer"/>, in order.</summary>
    public static List<int> Statuses(string answer) =>
        [.. System.Text.RegularExpressions.Regex.Matches(answer, @"HTTP/1\.[01] (\d{3}) ").Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture))];

    /// <summary>Asserts that <paramref name="answer"/> is one problem+json response with <paramref name="status"/>.</summary>
    public static JsonElement AssertProblem(string answer, int status)
    {
        Assert.Equal([status], Statuses(answer));
        var split = answer.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        Assert.True(split > 0, answer);
        Assert.Contains("Content-Type: application/problem+json", answer[..split], StringComparison.OrdinalIgnoreCase);
        var body = answer[(split + 4)..];
        if (answer[..split].Contains("Transfer-Encoding: chunked", StringComparison.OrdinalIgnoreCase))
        {
            body = Dechunk(body);
        }

        var problem = JsonDocument.Parse(Encoding.Latin1.GetBytes(body)).RootElement;
        Assert.Equal(status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()), answer);
        return problem;
    }

    private static string Dechunk(string chunked)
    {
        var text = new StringBuilder();
        var at = 0;
        while (true)
        {
            var lineEnd = chunked.IndexOf("\r\n", at, StringComparison.Ordinal);
            var size = Convert.ToInt32(chunked[at..lineEnd], 16);
            if (size == 0)
            {
                return text.ToString();
            }

            text.Append(chunked, lineEnd + 2, size);
            at = lineEnd + 2 + size + 2;
        }
    }
}
