namespace LoadBench.Target.Feed;

/// <summary>What a follower of the feed is told (<see cref="FeedLog.FollowAsync"/>): a closed set.</summary>
public enum FeedItemKind
{
    /// <summary>The next event after the follower's cursor: <see cref="FeedItem.Event"/>.</summary>
    Event,

    /// <summary>
    /// The follower's cursor (<see cref="FeedItem.After"/>) fell behind retention: the events after it up to
    /// <see cref="FeedItem.OldestSeq"/> are lost. Always the last item.
    /// </summary>
    Gone,
}

/// <summary>
/// One item of <see cref="FeedLog.FollowAsync"/>. A struct with a <see cref="Kind"/> rather than a class per
/// kind: every subscriber gets one item per event, and a struct that points at the shared
/// <see cref="PublishedEvent"/> allocates nothing for it. A new kind (the feed restarted, a heartbeat, a
/// follower too slow to keep) is a new <see cref="FeedItemKind"/> member and a factory here; the transports
/// switch on the kind, so each one decides how it says it.
/// </summary>
public readonly record struct FeedItem
{
    private FeedItem(FeedItemKind kind, PublishedEvent? feedEvent, long after, long oldestSeq)
    {
        Kind = kind;
        Event = feedEvent;
        After = after;
        OldestSeq = oldestSeq;
    }

    public FeedItemKind Kind { get; }

    /// <summary>The event, for <see cref="FeedItemKind.Event"/>; null otherwise.</summary>
    public PublishedEvent? Event { get; }

    /// <summary>For <see cref="FeedItemKind.Gone"/>: the follower's cursor, the last seq it was given (or asked after).</summary>
    public long After { get; }

    /// <summary>For <see cref="FeedItemKind.Gone"/>: the oldest retained seq, where the follower may start again.</summary>
    public long OldestSeq { get; }

    public static FeedItem Of(PublishedEvent feedEvent)
    {
        ArgumentNullException.ThrowIfNull(feedEvent);
        return new(FeedItemKind.Event, feedEvent, 0, 0);
    }

    public static FeedItem Gone(long after, long oldestSeq) => new(FeedItemKind.Gone, null, after, oldestSeq);
}
