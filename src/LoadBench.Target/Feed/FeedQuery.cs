using System.Globalization;
using LoadBench.Contracts;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LoadBench.Target.Feed;

/// <summary>
/// Parses the feed routes' query parameters by hand: model binding would answer a non-number with a bare 400,
/// and every client mistake here gets a problem+json that says what was wrong.
/// </summary>
internal static class FeedQuery
{
    /// <summary>
    /// The cursor: omitted → the latest seq (only new events); 0 → from the oldest retained; otherwise a seq
    /// that was published (a cursor beyond the latest seq comes from another target or a restart).
    /// </summary>
    public static bool TryParseAfter(string? raw, string parameter, FeedLog log, out long after, out ProblemHttpResult? problem)
    {
        problem = null;
        if (raw is null)
        {
            after = log.LatestSeq;
            return true;
        }

        if (!long.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out after))
        {
            problem = FeedProblems.BadParameter(parameter, $"'{parameter}' must be a seq: a whole number ≥ 0, got '{Shorten(raw)}'.");
            return false;
        }

        var latest = log.LatestSeq;
        if (after > latest)
        {
            problem = FeedProblems.BadParameter(parameter, $"'{parameter}' is {after}, beyond the latest published seq {latest}. A cursor from another run of the target? Start again from /feed/info's latestSeq or 0.");
            return false;
        }

        return true;
    }

    /// <summary>
    /// The client's <c>epoch</c> (<see cref="FeedReset.QueryParameter"/>) names another epoch than the current
    /// one: the feed restarted since the client read it. Checked before the cursor, which belongs to that other
    /// epoch and may well be beyond this one's latest seq. Absent or empty: no check (older clients, curl).
    /// </summary>
    public static bool IsStaleEpoch(string? epoch, FeedLog log, out ProblemHttpResult? reset)
    {
        var generation = log.Generation;
        reset = generation.IsStale(epoch) ? FeedProblems.Reset(generation.Epoch, Volatile.Read(ref generation.LatestSeq)) : null;
        return reset is not null;
    }

    public static bool TryParseInt(string? raw, string parameter, int defaultValue, int min, int max, out int value, out ProblemHttpResult? problem)
    {
        problem = null;
        value = defaultValue;
        if (raw is null)
        {
            return true;
        }

        if (!int.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value) || value < min || value > max)
        {
            problem = FeedProblems.BadParameter(parameter, $"'{parameter}' must be a whole number from {min} to {max}, got '{Shorten(raw)}'.");
            return false;
        }

        return true;
    }

    public static bool TryParseMax(string? raw, out int max, out ProblemHttpResult? problem) =>
        TryParseInt(raw, "max", FeedRoutes.DefaultPollMax, 1, FeedRoutes.MaxPollMax, out max, out problem);

    private static string Shorten(string raw) => raw.Length <= 40 ? raw : raw[..40] + "…";
}
