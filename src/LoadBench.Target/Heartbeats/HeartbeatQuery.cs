using LoadBench.Contracts;
using LoadBench.Target.Feed;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LoadBench.Target.Heartbeats;

/// <summary>The streams' <c>heartbeatMs</c> (<see cref="FeedRoutes.HeartbeatQuery"/>): absent means no heartbeat at
/// all; anything else must be a whole number of milliseconds in range, or the request gets a 400 problem.</summary>
internal static class HeartbeatQuery
{
    public static bool TryParse(string? raw, out TimeSpan? interval, out ProblemHttpResult? problem)
    {
        interval = null;
        if (raw is null)
        {
            problem = null;
            return true;
        }

        if (!FeedQuery.TryParseInt(raw, FeedRoutes.HeartbeatQuery, 0, FeedRoutes.MinHeartbeatMs, FeedRoutes.MaxHeartbeatMs, out var ms, out problem))
        {
            return false;
        }

        interval = TimeSpan.FromMilliseconds(ms);
        return true;
    }
}
