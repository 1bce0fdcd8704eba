using System.Globalization;
using LoadBench.Target.Sse;

namespace LoadBench.Target.Feed;

/// <summary>
/// An event as the target keeps it: serialized to UTF-8 JSON once, at publish, and framed for SSE once, at
/// publish. Every transport writes exactly <see cref="Json"/> for it, so payload bytes are equal across
/// transports and nothing is serialized, framed or allocated per subscriber.
/// </summary>
/// <remarks>
/// The JSON is kept inside its SSE frame — <c>data: {json}\nid: {seq}\n\n</c>, one buffer — so the frame costs
/// about 15 bytes per retained event rather than a second copy of the event, and an SSE stream copies the whole
/// frame to the socket with no per-subscriber formatting (the frame is byte for byte what the framework's
/// <c>SseFormatter</c> writes for this event: tested). A WebSocket frame needs only a 2- to 10-byte header before
/// the same JSON, made as it is copied (<see cref="WebSockets.WebSocketFrames"/>).
/// </remarks>
public sealed record PublishedEvent
{
    private PublishedEvent(long seq, ReadOnlyMemory<byte> json, ReadOnlyMemory<byte> sseFrame, string seqText, long publishedTimestamp)
    {
        Seq = seq;
        Json = json;
        SseFrame = sseFrame;
        SeqText = seqText;
        PublishedTimestamp = publishedTimestamp;
    }

    /// <summary>The event's position in the feed.</summary>
    public long Seq { get; }

    /// <summary>The event JSON, <c>{"seq":…,"ts":…,"data":"…"}</c>.</summary>
    public ReadOnlyMemory<byte> Json { get; }

    /// <summary>The event as one SSE event: <c>data: {json}\nid: {seq}\n\n</c>.</summary>
    public ReadOnlyMemory<byte> SseFrame { get; }

    /// <summary>The seq as text, made once (SSE's <c>id:</c>, the replication stream's header).</summary>
    public string SeqText { get; }

    /// <summary>The <see cref="TimeProvider.GetTimestamp"/> at publish, for the delivery delay.</summary>
    public long PublishedTimestamp { get; }

    /// <summary>Makes the event from its JSON (copied: the event owns its bytes).</summary>
    public static PublishedEvent Create(long seq, ReadOnlySpan<byte> json, long publishedTimestamp)
    {
        var seqText = seq.ToString(CultureInfo.InvariantCulture);
        var frame = SseFrames.ForEvent(json, seqText, out var jsonOffset);
        // JSON with a line break (never the publisher's; a replica keeps what it received) is split over several
        // data: lines in the frame, as the SSE format needs: then it is kept apart, unchanged.
        var stored = jsonOffset >= 0 ? frame.AsMemory(jsonOffset, json.Length) : json.ToArray();
        return new PublishedEvent(seq, stored, frame, seqText, publishedTimestamp);
    }
}
