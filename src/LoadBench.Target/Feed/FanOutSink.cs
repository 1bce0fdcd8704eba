namespace LoadBench.Target.Feed;

/// <summary>
/// Where <see cref="FeedFanOut"/> writes a parked subscriber's events: the transport's own output, the same one its
/// send loop writes to (an SSE stream's response body, a WebSocket's frame batch). Only one of the two writes at a
/// time — <see cref="FanOutSubscription"/> hands the output back and forth — so neither needs a lock of its own.
/// </summary>
internal interface IFanOutSink
{
    /// <summary>Appends the event's frame, unsent: no flush, no await (the fan-out bounds what it appends per write).</summary>
    void Append(PublishedEvent feedEvent);

    /// <summary>Sends what was appended, counting its events once written, as the send loop's own flush does. False: the
    /// transport may send nothing more (a WebSocket whose close frame is already out).</summary>
    ValueTask<bool> FlushAsync(CancellationToken cancellationToken);
}
