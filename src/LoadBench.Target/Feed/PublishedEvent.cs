namespace LoadBench.Target.Feed;

/// <summary>
/// An event as the target keeps it: serialized to UTF-8 JSON once, at publish. Every transport writes
/// exactly <see cref="Json"/> for it, so payload bytes are equal across transports and nothing is
/// serialized, copied or allocated per subscriber.
/// </summary>
/// <param name="Seq">The event's position in the feed.</param>
/// <param name="Json">The event JSON, <c>{"seq":…,"ts":…,"data":"…"}</c>.</param>
/// <param name="SeqText">The seq as text, made once for SSE's <c>id:</c> field.</param>
/// <param name="PublishedTimestamp">The <see cref="TimeProvider.GetTimestamp"/> at publish, for the delivery delay.</param>
public sealed record PublishedEvent(long Seq, ReadOnlyMemory<byte> Json, string SeqText, long PublishedTimestamp);
