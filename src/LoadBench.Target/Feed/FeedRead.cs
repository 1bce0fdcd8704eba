namespace LoadBench.Target.Feed;

/// <summary>
/// What a reader gets for a cursor: the events after it, or "gone" when the cursor is older than retention;
/// read from one epoch, <see cref="Epoch"/>, whose latest seq was <see cref="LatestSeq"/>.
/// </summary>
public readonly record struct FeedRead(IReadOnlyList<PublishedEvent> Events, bool Gone, long OldestSeq, string Epoch, long LatestSeq)
{
    internal static FeedRead GoneFrom(long oldestSeq, FeedGeneration generation) =>
        new([], Gone: true, oldestSeq, generation.Epoch, Volatile.Read(ref generation.LatestSeq));
}
