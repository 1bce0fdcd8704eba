using LoadBench.Target.Feed;

namespace LoadBench.Target.Compression;

/// <summary>The JSON array a poll answers with — <c>[</c>, each event's stored JSON, commas, <c>]</c> — as one
/// buffer, to compress it whole. (Uncompressed answers are written straight into Kestrel's buffer instead.)</summary>
internal static class EventArray
{
    public static byte[] Bytes(IReadOnlyList<PublishedEvent> events)
    {
        var length = 2 + Math.Max(0, events.Count - 1);
        foreach (var e in events)
        {
            length += e.Json.Length;
        }

        var bytes = new byte[length];
        bytes[0] = (byte)'[';
        var at = 1;
        for (var i = 0; i < events.Count; i++)
        {
            if (i > 0)
            {
                bytes[at++] = (byte)',';
            }

            events[i].Json.Span.CopyTo(bytes.AsSpan(at));
            at += events[i].Json.Length;
        }

        bytes[at] = (byte)']';
        return bytes;
    }
}
