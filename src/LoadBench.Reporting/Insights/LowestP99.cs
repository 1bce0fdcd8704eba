using System.Globalization;
using LoadBench.Reporting.Model;
using LoadBench.Reporting.Noise;
using static LoadBench.Reporting.Insights.Wording;

namespace LoadBench.Reporting.Insights;

/// <summary>
/// The paragraph's lead: which transport had the lowest p99 at the headline setup — named better only when the
/// difference is beyond noise (<see cref="P99Verdict"/>), otherwise said to be within noise, with the numbers.
/// </summary>
internal static class LowestP99
{
    /// <summary>Trials per transport the README and the sentences recommend for a decision: 3 against 3 decides a
    /// clear difference (every trial of one beyond every trial of the other: p = 0.1 two-sided, the level of
    /// <see cref="P99Verdict.Alpha"/>).</summary>
    public const int RecommendedTrials = 3;

    /// <summary>Trials that see smaller differences, or a clear one despite a slow trial: 5 against 5 reach p = 0.008.</summary>
    public const int FinerTrials = 5;

    private const string Metric = "p99 latency (publish → receive)";

    public static IEnumerable<string> Sentences(SetupGroup group, bool explainChoice)
    {
        var verdict = P99Verdict.Judge(group);
        var lead = explainChoice
            ? $"With {group.Setup.DescribeInSentence()} — the most clients at which more than one transport was measured — "
            : $"With {group.Setup.DescribeInSentence()}, ";
        var silent = group.Scenarios.Where(s => s.Latency.Event.Count == 0).ToList();
        var tail = silent.Count > 0 ? $"; {JoinAnd(silent.Select(s => Name(group, s)))} delivered no events" : string.Empty;

        if (verdict.Basis == VerdictBasis.None)
        {
            yield return Unjudged(group, verdict, lead) + tail + ".";
            yield return "These are one run's figures, and the results hold neither repeated trials nor per-second histograms, " +
                $"so whether the differences are beyond noise cannot be told: run with --repeat {RecommendedTrials} for a decision.";
            yield break;
        }

        string Figure(Contender c, bool first = false) => FigureOf(c, first && verdict.Basis == VerdictBasis.Seconds) + " for " + Name(group, c.Scenario);
        var lowest = verdict.Lowest;
        var lowestFirst = FigureOf(lowest, verdict.Basis == VerdictBasis.Seconds);
        var others = verdict.Contenders.Skip(1).ToList();

        if (verdict.TooFewTrials)
        {
            yield return $"{lead}{Name(group, lowest.Scenario, capital: true)} had the lowest median {Metric}: {lowestFirst}, against " +
                JoinAnd(others.Select(c => Figure(c))) + tail + ".";
            // Which ranges do not even overlap is worth saying — as a description of these trials, not a verdict.
            var apart = others.Where(c => c.Spread!.Low > lowest.Spread!.High).ToList();
            var prefix = apart.Count > 0
                ? $"Every trial of {JoinAnd(apart.Select(c => Name(group, c.Scenario)))} lay above every trial of {Name(group, lowest.Scenario)}, but with "
                : "With ";
            yield return $"{prefix}{Format.Count(verdict.Trials)} {Plural(verdict.Trials, "trial")} per transport no difference can be significant at α = {Alpha} " +
                $"(the smallest possible two-sided p-value is {Format.Probability(verdict.SmallestPossiblePValue)}), so none is named better: " +
                $"run with --repeat {P99Verdict.TrialsNeeded()} or more to decide ({FinerTrials} to see smaller differences); figures are the median of the trials with their range.";
            yield break;
        }

        if (verdict.Higher.Count == 0)
        {
            yield return $"{lead}the transports' p99 latencies (publish → receive) were {(verdict.Tied.Count == 2 ? string.Empty : "all ")}within noise of each other: " +
                JoinAnd(verdict.Contenders.Select((c, i) => Figure(c, first: i == 0))) + tail + ".";
        }
        else if (verdict.Tied.Count == 1)
        {
            yield return $"{lead}{Name(group, lowest.Scenario, capital: true)} had the lowest {Metric}: {lowestFirst}, against " +
                JoinAnd(others.Select(c => Figure(c))) + tail + ".";
        }
        else
        {
            yield return $"{lead}{JoinAnd(verdict.Tied.Select((c, i) => Name(group, c.Scenario, capital: i == 0)))} had the lowest p99 latencies (publish → receive), " +
                $"within noise of each other: {JoinAnd(verdict.Tied.Select((c, i) => Figure(c, first: i == 0)))}; " +
                $"{JoinAnd(verdict.Higher.Select(c => Figure(c)))} {(verdict.Higher.Count == 1 ? "was" : "were")} higher{tail}.";
        }

        yield return Method(verdict);
    }

    private static string Alpha => P99Verdict.Alpha.ToString(CultureInfo.InvariantCulture);

    /// <summary>"38.4 ms (35.1–41)", with the p-value against the lowest when there is one: "52.7 ms (50–55; p = 0.008)".</summary>
    private static string FigureOf(Contender c, bool nameTheInterval)
    {
        var spread = c.Spread!;
        var p = c.PValue is { } value ? "; " + Format.PValue(value) : string.Empty;
        return $"{Format.Ms(c.Value)} ms ({(nameTheInterval ? "95% interval " : string.Empty)}{Format.MsRange(spread.Low, spread.High)}{p})";
    }

    private static string Method(P99Verdict verdict)
    {
        var counts = verdict.Contenders.Select(c => c.Spread!.Count).Distinct().Order().ToList();
        var count = counts.Count == 1 ? Format.Count(counts[0]) : $"{Format.Count(counts[0])}–{Format.Count(counts[^1])}";
        return verdict.Basis == VerdictBasis.Trials
            ? $"Figures are the median of {count} trials per transport with the lowest and highest trial in brackets; a transport counts as higher " +
              $"only when a two-sided exact Mann–Whitney U test on the per-trial p99s gives p ≤ {Alpha} against the lowest."
            : $"Figures are this run's p99 with a 95% bootstrap interval over its {count} one-second histograms{Rough(counts[^1])}; a transport counts as higher only when " +
              "its interval lies wholly above the lowest's. The intervals cover the noise within this run, not the larger swings between runs: " +
              $"for a decision, run with --repeat {RecommendedTrials}.";
    }

    /// <summary>", so few that the intervals are rough" when the longest run had fewer than <see cref="SecondsBootstrap.FewSeconds"/>.</summary>
    internal static string Rough(int seconds) => seconds < SecondsBootstrap.FewSeconds ? ", so few that the intervals are rough" : string.Empty;

    /// <summary>One run without a way to judge noise: the figures as they are (the report's wording before intervals).</summary>
    private static string Unjudged(SetupGroup group, P99Verdict verdict, string lead)
    {
        var best = verdict.Lowest.Value;
        var winners = verdict.Contenders.Where(c => c.Value == best).ToList();
        var others = verdict.Contenders.Where(c => c.Value != best).ToList();
        var subject = winners.Count == 1
            ? $"{Name(group, winners[0].Scenario, capital: true)} had the lowest {Metric}: {Format.Ms(best)} ms"
            : $"{JoinAnd(winners.Select(w => Name(group, w.Scenario, capital: true)))} shared the lowest {Metric}: {Format.Ms(best)} ms";
        var sentence = lead + subject;
        if (others.Count > 0)
        {
            sentence += ", against " + JoinAnd(others.Select(o => $"{Format.Ms(o.Value)} ms for {Name(group, o.Scenario)}"));
        }

        return sentence;
    }
}
