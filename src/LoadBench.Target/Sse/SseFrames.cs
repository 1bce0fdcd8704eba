using System.Text;
using LoadBench.Contracts;

namespace LoadBench.Target.Sse;

/// <summary>
/// The bytes of every SSE event the feed sends, laid out as the framework's <c>SseFormatter</c> lays them out
/// (<c>event:</c> if named, one <c>data:</c> line per line of data, <c>id:</c> if any, a blank line) — the tests
/// compare the two byte for byte — but made once: an event's frame at publish (<see cref="Feed.PublishedEvent.SseFrame"/>),
/// shared by every subscriber, instead of per subscriber and event as <c>SseFormatter.WriteAsync</c> does.
/// </summary>
internal static class SseFrames
{
    private static ReadOnlySpan<byte> DataPrefix => "data: "u8;

    private static ReadOnlySpan<byte> IdPrefix => "id: "u8;

    private static ReadOnlySpan<byte> EventPrefix => "event: "u8;

    /// <summary>The empty comment line <see cref="FeedRoutes.SseHeartbeat"/>.</summary>
    public static ReadOnlyMemory<byte> Heartbeat { get; } = Encoding.UTF8.GetBytes(FeedRoutes.SseHeartbeat);

    /// <summary>
    /// <c>data: {json}\nid: {seqText}\n\n</c>. <paramref name="jsonOffset"/>: where the JSON lies unchanged inside
    /// the frame, or -1 when it does not (JSON with a line break is split over several <c>data:</c> lines).
    /// </summary>
    public static byte[] ForEvent(ReadOnlySpan<byte> json, string seqText, out int jsonOffset)
    {
        ArgumentNullException.ThrowIfNull(seqText);
        jsonOffset = json.IndexOfAny((byte)'\r', (byte)'\n') < 0 ? DataPrefix.Length : -1;
        return Frame(eventType: null, json, seqText);
    }

    /// <summary>A final, named event without id (<c>event: gone</c>, <c>reset</c>, <c>too-slow</c>): rare, made when sent.</summary>
    public static byte[] Named(string eventType, string json)
    {
        ArgumentException.ThrowIfNullOrEmpty(eventType);
        ArgumentNullException.ThrowIfNull(json);
        return Frame(eventType, Encoding.UTF8.GetBytes(json), eventId: null);
    }

    private static byte[] Frame(string? eventType, ReadOnlySpan<byte> data, string? eventId)
    {
        var frame = new List<byte>(data.Length + 32);
        if (eventType is not null)
        {
            frame.AddRange(EventPrefix);
            frame.AddRange(Encoding.UTF8.GetBytes(eventType));
            frame.Add((byte)'\n');
        }

        // As the SSE format and SseFormatter do: every line of the data on its own data: line, CRLF and CR read as LF.
        while (true)
        {
            frame.AddRange(DataPrefix);
            var end = data.IndexOfAny((byte)'\r', (byte)'\n');
            if (end < 0)
            {
                frame.AddRange(data);
                break;
            }

            frame.AddRange(data[..end]);
            frame.Add((byte)'\n');
            var next = end + (data[end] == '\r' && end + 1 < data.Length && data[end + 1] == '\n' ? 2 : 1);
            data = data[next..];
        }

        frame.Add((byte)'\n');
        if (eventId is not null)
        {
            frame.AddRange(IdPrefix);
            frame.AddRange(Encoding.UTF8.GetBytes(eventId));
            frame.Add((byte)'\n');
        }

        frame.Add((byte)'\n');
        return [.. frame];
    }
}
