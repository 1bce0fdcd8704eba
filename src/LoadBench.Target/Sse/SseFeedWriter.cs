using LoadBench.Contracts;
using LoadBench.Target.Feed;
using LoadBench.Target.Heartbeats;
using LoadBench.Target.Stats;

namespace LoadBench.Target.Sse;

/// <summary>
/// Writes a follower's items (<see cref="FeedLog.FollowAsync(long, string?, SlowConsumers.FeedFollower?, CancellationToken)"/>)
/// as SSE: every event that is ready goes into the body, and the body is flushed only when the next item is not
/// ready yet — so a subscriber woken after several publishes gets them all in one write and one flush, as a
/// server under load would send them, while one published alone is flushed at once (no added latency).
/// With a <see cref="FanOutSubscription"/>, once everything written is flushed the subscriber is parked
/// (<see cref="FanOutSubscription.Arm"/>): the fan-out writes the events published from then on into the same body,
/// and this loop only resumes when the fan-out hands the subscriber back.
/// </summary>
internal static class SseFeedWriter
{
    /// <param name="feed">The follower's items, followed with <paramref name="stream"/>'s token.</param>
    /// <param name="body">Where the frames go.</param>
    /// <param name="heartbeat">The stream's heartbeat ticker, or null: a comment line per tick while the stream waits (never inside an event).</param>
    /// <param name="connection">For stall faults: a stall holds the writes, and the follower with them (none dropped).</param>
    /// <param name="stream">Ends the stream; cancelled here when a write fails while the follow waits (<see cref="PendingFollow"/>).</param>
    /// <param name="fanOut">The subscriber's place in the fan-out, the one <paramref name="feed"/> parks in; null: none.</param>
    public static async Task WriteAsync(
        IAsyncEnumerable<FeedItem> feed, SseBody body, HeartbeatLease? heartbeat, FeedConnection? connection, CancellationTokenSource stream,
        FanOutSubscription? fanOut = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var cancellationToken = stream.Token;
        await using var items = feed.GetAsyncEnumerator(cancellationToken);
        try
        {
            while (true)
            {
                // Looked at before it is awaited (is the next item ready?); every path awaits it exactly once.
#pragma warning disable CA2012
                var next = items.MoveNextAsync();
#pragma warning restore CA2012
                if (!next.IsCompleted)
                {
                    try
                    {
                        // Nothing more is ready: send what is written before waiting. Heartbeats only ever run here, flushed.
                        await body.FlushAsync(cancellationToken);
                        fanOut?.Arm();
                        if (heartbeat is not null)
                        {
                            var waiting = next.AsTask();
                            next = new ValueTask<bool>(waiting);
                            await BeatUntilAsync(heartbeat, waiting, body, fanOut, cancellationToken);
                        }
                    }
                    catch
                    {
                        await PendingFollow.AbandonAsync(next, stream);
                        throw;
                    }
                }

                if (!await next)
                {
                    await body.FlushAsync(cancellationToken);
                    return;
                }

                var item = items.Current;
                if (connection is { IsStalled: true })
                {
                    await body.FlushAsync(cancellationToken);
                    await connection.WhileStalledAsync(cancellationToken);
                }

                await (item.Kind switch
                {
                    FeedItemKind.Event => body.WriteEventAsync(item.Event!, cancellationToken),
                    FeedItemKind.Gone => body.WriteNowAsync(SseFrames.Named(FeedGone.SseEventType, FeedProblems.GoneJson(item.After, item.OldestSeq)), cancellationToken),
                    FeedItemKind.Reset => body.WriteNowAsync(SseFrames.Named(FeedReset.SseEventType, FeedProblems.ResetJson(item.Epoch!, item.LatestSeq)), cancellationToken),
                    FeedItemKind.TooSlow => body.WriteNowAsync(SseFrames.Named(FeedTooSlow.SseEventType, FeedProblems.TooSlowJson(item.After, item.LatestSeq)), cancellationToken),
                    _ => throw new System.Diagnostics.UnreachableException($"SSE has no frame for a '{item.Kind}' feed item."),
                });
            }
        }
        finally
        {
            body.CountUnflushed();
        }
    }

    /// <summary>Heartbeats until the follow's wait completes. Its own method: the closure for the beat is made only for a
    /// stream with heartbeats — in the loop above, the compiler would make it at the loop's start, for every stream (40 bytes each).</summary>
    private static Task BeatUntilAsync(HeartbeatLease heartbeat, Task waiting, SseBody body, FanOutSubscription? fanOut, CancellationToken cancellationToken) =>
        heartbeat.BeatUntilAsync(waiting, ct => BeatAsync(body, fanOut, ct), cancellationToken);

    /// <summary>A heartbeat while the follow waits: parked, only if the fan-out is not writing right now (then an event
    /// is on its way, which keeps the stream alive as well), and parked again after it.</summary>
    private static async ValueTask BeatAsync(SseBody body, FanOutSubscription? fanOut, CancellationToken cancellationToken)
    {
        if (fanOut is null)
        {
            await body.WriteNowAsync(SseFrames.Heartbeat, cancellationToken);
            return;
        }

        if (!fanOut.TryReclaim())
        {
            return;
        }

        await body.WriteNowAsync(SseFrames.Heartbeat, cancellationToken);
        fanOut.Arm();
    }
}
