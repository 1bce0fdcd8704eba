namespace LoadBench.Target.Feed;

/// <summary>What a reader gets for a cursor: the events after it, or "gone" when the cursor is older than retention.</summary>
public readonly record struct FeedRead(IReadOnlyList<PublishedEvent> Events, bool Gone, long OldestSeq)
{
    public static FeedRead GoneFrom(long oldestSeq) => new([], Gone: true, oldestSeq);
}
