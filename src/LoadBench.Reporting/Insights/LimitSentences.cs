using LoadBench.Contracts;
using LoadBench.Results;

namespace LoadBench.Reporting.Insights;

/// <summary>One sentence per limit search (<c>loadbench limits</c>): where the transport met its SLO, where it
/// stopped, why, and whose limit that is.</summary>
internal static class LimitSentences
{
    public static IEnumerable<string> Sentences(ResultsDocument results)
    {
        ArgumentNullException.ThrowIfNull(results);
        foreach (var limit in results.Limits ?? [])
        {
            yield return Sentence(limit);
        }
    }

    public static string Sentence(LimitSearchResult limit)
    {
        var who = TransportIds.DisplayName(limit.Transport);
        var unit = limit.Vary == "copies" ? "clients" : "events/s";
        var setting = limit.Vary == "copies" ? "" : " (varying the event rate)";
        var stopped = limit.Complete ? "" : " The search was stopped before it finished, so this is what the steps done show.";
        return (limit.HighestMet, limit.FirstFailed) switch
        {
            (_, null) when limit.Steps.Count == 0 => $"{who}{setting}: no step ran.{stopped}",
            (_, null) => $"{who}{setting} met the SLO at every level tried, up to {Format.Rate(limit.HighestMet ?? limit.To)} {unit}: its limit was not reached.{stopped}",
            (null, { } failed) => $"{who}{setting} missed the SLO already at {Format.Rate(failed)} {unit}, the lowest level tried ({limit.BrokenRule}); busiest: {limit.Bottleneck}; {limit.Label}.{stopped}",
            ({ } met, { } failed) => $"{who}{setting} met the SLO up to {Format.Rate(met)} {unit} and missed it at {Format.Rate(failed)} ({limit.BrokenRule}); busiest: {limit.Bottleneck}; {limit.Label}.{stopped}",
        };
    }
}
