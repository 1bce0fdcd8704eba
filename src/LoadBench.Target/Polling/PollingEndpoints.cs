using LoadBench.Contracts;
using LoadBench.Target.Feed;
using LoadBench.Target.Stats;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LoadBench.Target.Polling;

/// <summary>
/// <c>GET /feed/poll?after={seq}&amp;max={n}&amp;epoch={id}</c>: whatever is new, at once; <c>[]</c> when nothing
/// is; 409 (reset) when <c>epoch</c> is not the feed's.
/// </summary>
public static class PollingEndpoints
{
    public static RouteHandlerBuilder MapPolling(this IEndpointRouteBuilder routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        return routes.MapGet(FeedRoutes.Poll, Poll);
    }

    private static Results<EventArrayResult, ProblemHttpResult> Poll(string? after, string? max, string? epoch, FeedLog log, FeedStats stats)
    {
        if (FeedQuery.IsStaleEpoch(epoch, log, out var problem)
            || !FeedQuery.TryParseAfter(after, "after", log, out var cursor, out problem)
            || !FeedQuery.TryParseMax(max, out var limit, out problem))
        {
            return problem!;
        }

        if (log.IsGone(cursor, out var oldest))
        {
            return FeedProblems.Gone(cursor, oldest);
        }

        var read = log.Read(log.EffectiveCursor(cursor), limit);
        if (!string.IsNullOrEmpty(epoch) && read.Epoch != epoch)
        {
            // The feed restarted between the check above and the read: these events are the new epoch's.
            return FeedProblems.Reset(read.Epoch, read.LatestSeq);
        }

        if (read.Gone)
        {
            return FeedProblems.Gone(cursor, read.OldestSeq);
        }

        return new EventArrayResult(read.Events, stats.Polling);
    }
}
