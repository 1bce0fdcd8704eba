using LoadBench.Contracts;
using LoadBench.Target.Feed;
using LoadBench.Target.Polling;
using LoadBench.Target.Stats;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LoadBench.Target.LongPolling;

/// <summary>
/// <c>GET /feed/long-poll?after={seq}&amp;timeout={ms}</c>: answers as soon as an event after the cursor exists,
/// or 204 when the timeout passes first. A waiting request holds no thread: it awaits the feed's shared
/// publish signal. A stale <c>epoch</c>, or a restart while it waits, answers 409 (reset).
/// </summary>
public static class LongPollingEndpoints
{
    public static RouteHandlerBuilder MapLongPolling(this IEndpointRouteBuilder routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        return routes.MapGet(FeedRoutes.LongPoll, LongPollAsync);
    }

    private static async Task<Results<EventArrayResult, NoContent, ProblemHttpResult>> LongPollAsync(
        string? after, string? max, string? timeout, string? epoch, FeedLog log, FeedStats stats, TimeProvider time,
        IHostApplicationLifetime lifetime, HttpContext context)
    {
        if (FeedQuery.IsStaleEpoch(epoch, log, out var problem)
            || !FeedQuery.TryParseAfter(after, "after", log, out var cursor, out problem)
            || !FeedQuery.TryParseMax(max, out var limit, out problem)
            || !FeedQuery.TryParseInt(timeout, "timeout", FeedRoutes.DefaultLongPollTimeoutMs, 0, FeedRoutes.MaxLongPollTimeoutMs, out var timeoutMs, out problem))
        {
            return problem!;
        }

        if (log.IsGone(cursor, out var oldest))
        {
            return FeedProblems.Gone(cursor, oldest);
        }

        var effective = log.EffectiveCursor(cursor);
        using var timeoutSource = new CancellationTokenSource(TimeSpan.FromMilliseconds(timeoutMs), time);
        using var waitSource = CancellationTokenSource.CreateLinkedTokenSource(
            timeoutSource.Token, context.RequestAborted, lifetime.ApplicationStopping);
        // The epoch this request's cursor belongs to: the client's, or the one its first read finds.
        var pinned = string.IsNullOrEmpty(epoch) ? null : epoch;
        while (true)
        {
            var read = log.Read(effective, limit);
            pinned ??= read.Epoch;
            if (read.Epoch != pinned)
            {
                // The feed restarted while this request waited (or just before its first read).
                return FeedProblems.Reset(read.Epoch, read.LatestSeq);
            }

            if (read.Gone)
            {
                return FeedProblems.Gone(cursor, read.OldestSeq);
            }

            if (read.Events.Count > 0)
            {
                return new EventArrayResult(read.Events, stats.LongPolling);
            }

            try
            {
                await log.WaitForEventAfterAsync(effective, pinned, waitSource.Token);
            }
            catch (OperationCanceledException) when (!context.RequestAborted.IsCancellationRequested)
            {
                // Timed out, or the target is shutting down: nothing new, come back.
                return TypedResults.NoContent();
            }
        }
    }
}
