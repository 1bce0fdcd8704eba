namespace LoadBench.Target.Feed;

/// <summary>An event on its way to the stream (<c>--publish-to</c>): the stored event and the epoch it was published in.</summary>
internal readonly record struct OutboxEvent(string Epoch, PublishedEvent Event);
