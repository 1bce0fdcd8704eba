using LoadBench.Contracts;
using LoadBench.Target.Feed;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LoadBench.Target.Faults;

/// <summary>
/// Checks a <see cref="FaultRequest"/> against what its kind takes: every mistake is a 400 problem+json whose
/// <c>parameter</c> names the field, so a scenario author sees which line is wrong.
/// </summary>
internal static class FaultValidation
{
    /// <summary>The longest fault: an hour, far beyond any measured window, short of a target left broken by a typo.</summary>
    public const int MaxDurationMs = 3_600_000;

    public static ProblemHttpResult? Problem(FaultRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Kind is null || !FaultKinds.All.Contains(request.Kind))
        {
            return FeedProblems.BadParameter("kind",
                $"'kind' must be one of {string.Join(", ", FaultKinds.All)}; got {(request.Kind is null ? "none" : $"'{Shorten(request.Kind)}'")}.");
        }

        var takesFraction = request.Kind is FaultKinds.Abort or FaultKinds.Stall;
        var takesDuration = takesFraction || request.Kind is FaultKinds.Pause;

        if (takesFraction)
        {
            if (request.Fraction is not { } fraction || !double.IsFinite(fraction) || fraction <= 0 || fraction > 1)
            {
                return FeedProblems.BadParameter("fraction",
                    $"'{request.Kind}' takes 'fraction', the share of connections it hits: more than 0, at most 1; got {request.Fraction?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}.");
            }
        }
        else if (request.Fraction is not null)
        {
            return FeedProblems.BadParameter("fraction", $"'{request.Kind}' takes no 'fraction'.");
        }

        if (takesDuration)
        {
            if (request.DurationMs is not (>= 1 and <= MaxDurationMs))
            {
                return FeedProblems.BadParameter("durationMs",
                    $"'{request.Kind}' takes 'durationMs', how long it lasts: 1 to {MaxDurationMs} (an hour); got {request.DurationMs?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}.");
            }
        }
        else if (request.DurationMs is not null)
        {
            return FeedProblems.BadParameter("durationMs", $"'{request.Kind}' takes no 'durationMs': it happens at once.");
        }

        return null;
    }

    private static string Shorten(string raw) => raw.Length <= 40 ? raw : raw[..40] + "…";
}
