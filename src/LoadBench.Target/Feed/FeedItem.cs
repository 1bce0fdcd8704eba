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

    /// <summary>
    /// The feed restarted (or the follower asked with a stale epoch): its cursor means nothing in the current
    /// epoch, <see cref="FeedItem.Epoch"/>, whose latest seq is <see cref="FeedItem.LatestSeq"/>. Always the last item.
    /// </summary>
    Reset,
}

/// <summary>
/// One item of <see cref="FeedLog.FollowAsync"/>. A 16-byte struct with a <see cref="Kind"/> rather than a
/// class per kind: every subscriber gets one item per event, and the struct only points at the shared
/// <see cref="PublishedEvent"/>, so an event costs no allocation (a rare item, like "gone", may allocate its
/// details once). A new kind (the feed restarted, a heartbeat, a follower too slow to keep) is a new
/// <see cref="FeedItemKind"/> member and a factory here; the transports switch on the kind, so each one
/// decides how it says it.
/// </summary>
public readonly record struct FeedItem
{
    // The event, or the details of a rarer kind: one reference keeps the struct small, because the follow
    // loop and each transport's send loop hold an item across their awaits, once per subscriber.
    private readonly object? _data;

    private FeedItem(FeedItemKind kind, object? data)
    {
        Kind = kind;
        _data = data;
    }

    public FeedItemKind Kind { get; }

    /// <summary>The event, for <see cref="FeedItemKind.Event"/>; null otherwise.</summary>
    public PublishedEvent? Event => _data as PublishedEvent;

    /// <summary>For <see cref="FeedItemKind.Gone"/>: the follower's cursor, the last seq it was given (or asked after); 0 otherwise.</summary>
    public long After => (_data as GoneDetails)?.After ?? 0;

    /// <summary>For <see cref="FeedItemKind.Gone"/>: the oldest retained seq, where the follower may start again; 0 otherwise.</summary>
    public long OldestSeq => (_data as GoneDetails)?.OldestSeq ?? 0;

    /// <summary>For <see cref="FeedItemKind.Reset"/>: the current epoch, where the follower starts again from after=0; null otherwise.</summary>
    public string? Epoch => (_data as ResetDetails)?.Epoch;

    /// <summary>For <see cref="FeedItemKind.Reset"/>: the current epoch's latest seq; 0 otherwise.</summary>
    public long LatestSeq => (_data as ResetDetails)?.LatestSeq ?? 0;

    public static FeedItem Of(PublishedEvent feedEvent)
    {
        ArgumentNullException.ThrowIfNull(feedEvent);
        return new(FeedItemKind.Event, feedEvent);
    }

    public static FeedItem Gone(long after, long oldestSeq) => new(FeedItemKind.Gone, new GoneDetails(after, oldestSeq));

    public static FeedItem Reset(string epoch, long latestSeq)
    {
        ArgumentNullException.ThrowIfNull(epoch);
        return new(FeedItemKind.Reset, new ResetDetails(epoch, latestSeq));
    }

    private sealed record GoneDetails(long After, long OldestSeq);

    private sealed record ResetDetails(string Epoch, long LatestSeq);
}
