using LoadBench.Reporting.Model;
using LoadBench.Reporting.Noise;
using LoadBench.Results;
using LoadBench.Statistics;

namespace LoadBench.Reporting.Insights;

/// <summary>What tells the transports' p99s apart from noise at one setup.</summary>
internal enum VerdictBasis
{
    /// <summary>Repeated trials: the two-sided exact Mann–Whitney U test on per-trial p99s.</summary>
    Trials,

    /// <summary>One run: 95% bootstrap intervals over its seconds, which must not overlap.</summary>
    Seconds,

    /// <summary>One run without per-second histograms (an older file): the noise cannot be told.</summary>
    None,
}

/// <summary>One transport's p99 at the setup, and how it stands against the lowest.</summary>
/// <param name="Scenario">The scenario.</param>
/// <param name="Value">Its p99 (ms): the trials' median, or the run's own.</param>
/// <param name="Spread">Its spread, when there is one.</param>
/// <param name="PValue">Against the lowest (trials only): the two-sided p-value; null for the lowest itself.</param>
/// <param name="BeyondNoise">Higher than the lowest, and not by chance.</param>
internal sealed record Contender(ScenarioResult Scenario, double Value, Spread? Spread, double? PValue, bool BeyondNoise);

/// <summary>
/// Which transports had the lowest p99 at a setup, judged against noise: a transport is called better only when
/// the difference is significant — with repeated trials, when the two-sided exact Mann–Whitney U test (the gate's
/// test, <see cref="MannWhitneyU"/>) on the per-trial p99s gives p ≤ <see cref="Alpha"/>; with one run, when the
/// 95% bootstrap intervals over its seconds do not overlap. Two-sided, because which transport looks lowest is
/// read from the same data: a one-sided test in the direction the data happened to point would call chance
/// significant twice as often. Each transport is tested against the lowest on its own (no correction for the
/// several comparisons).
/// </summary>
internal sealed record P99Verdict(VerdictBasis Basis, IReadOnlyList<Contender> Contenders)
{
    /// <summary>
    /// The significance level, two-sided: 0.10, which asks of each direction what the gate's one-sided 0.05 asks
    /// (one level of evidence across the tool). With 3 trials per transport it is reached only when every trial of
    /// one lies beyond every trial of the other (p = 2/20 = 0.1), so <c>--repeat 3</c> can decide a clear difference;
    /// 5 trials reach p = 0.008 and see smaller ones. The p-value is always printed beside the verdict.
    /// </summary>
    public const double Alpha = 0.10;

    // p-values are ratios of counts (2/20 is 0.1 in binary only to rounding): a hair of tolerance keeps a verdict
    // from hanging on the last bit.
    private const double AlphaTolerance = 1e-12;

    /// <summary>The lowest p99 (by median with trials).</summary>
    public Contender Lowest => Contenders[0];

    /// <summary>The lowest and every transport not shown to be higher than it.</summary>
    public IReadOnlyList<Contender> Tied => [.. Contenders.Where(c => !c.BeyondNoise)];

    /// <summary>Transports higher than the lowest beyond noise.</summary>
    public IReadOnlyList<Contender> Higher => [.. Contenders.Where(c => c.BeyondNoise)];

    /// <summary>Trials per transport (the fewest), when the basis is trials.</summary>
    public int Trials => Basis == VerdictBasis.Trials ? Contenders.Min(c => c.Spread!.Count) : 1;

    /// <summary>
    /// With trials: the smallest p-value the test could give here at all (every trial of one side below every one of
    /// the other). Above <see cref="Alpha"/>, no difference could ever be called significant.
    /// </summary>
    public double SmallestPossiblePValue => Basis == VerdictBasis.Trials
        ? Contenders.Skip(1).Min(c => MannWhitneyU.SmallestPossiblePValue(Lowest.Spread!.Count, c.Spread!.Count, Alternative.TwoSided))
        : 0;

    /// <summary>Whether the trials are too few for any difference to reach <see cref="Alpha"/>.</summary>
    public bool TooFewTrials => Basis == VerdictBasis.Trials && SmallestPossiblePValue > Alpha + AlphaTolerance;

    /// <summary>Trials per transport from which a difference can reach <see cref="Alpha"/> (same count on both sides).</summary>
    public static int TrialsNeeded()
    {
        var n = ScenarioSpread.MinTrials;
        while (MannWhitneyU.SmallestPossiblePValue(n, n, Alternative.TwoSided) > Alpha + AlphaTolerance)
        {
            n++;
        }

        return n;
    }

    /// <summary>The verdict for the transports that delivered events at this setup (at least two).</summary>
    public static P99Verdict Judge(SetupGroup group)
    {
        ArgumentNullException.ThrowIfNull(group);
        var measured = group.Scenarios.Where(s => s.Latency.Event.Count > 0).ToList();
        if (measured.Count < 2)
        {
            throw new ArgumentException("A verdict needs at least two transports that delivered events.", nameof(group));
        }

        if (measured.All(s => ScenarioSpread.PerTrial(s, P99) is not null))
        {
            return ByTrials(measured);
        }

        var spreads = measured.Select(s => ScenarioSpread.OfLatency(s, 99)).ToList();
        if (spreads.All(s => s is { Basis: SpreadBasis.Seconds }))
        {
            return BySeconds(measured, [.. spreads.Select(s => s!)]);
        }

        return new P99Verdict(VerdictBasis.None, [.. measured.OrderBy(s => s.Latency.Event.P99Ms)
            .Select(s => new Contender(s, s.Latency.Event.P99Ms, null, null, BeyondNoise: false))]);
    }

    private static double? P99(ScenarioResult trial) => ScenarioSpread.Latency(trial, 99);

    private static P99Verdict ByTrials(IReadOnlyList<ScenarioResult> measured)
    {
        // OrderBy is stable: equal medians keep the setup's transport order.
        var ranked = measured.Select(s => (Scenario: s, Spread: ScenarioSpread.OfTrials(s, P99)!, Values: ScenarioSpread.PerTrial(s, P99)!))
            .OrderBy(x => x.Spread.Value)
            .ToList();
        var lowest = ranked[0];
        var contenders = new List<Contender> { new(lowest.Scenario, lowest.Spread.Value, lowest.Spread, null, BeyondNoise: false) };
        foreach (var other in ranked.Skip(1))
        {
            var p = MannWhitneyU.Test(other.Values, lowest.Values, Alternative.TwoSided).PValue;
            contenders.Add(new Contender(other.Scenario, other.Spread.Value, other.Spread, p, BeyondNoise: p <= Alpha + AlphaTolerance && other.Spread.Value > lowest.Spread.Value));
        }

        return new P99Verdict(VerdictBasis.Trials, contenders);
    }

    private static P99Verdict BySeconds(IReadOnlyList<ScenarioResult> measured, IReadOnlyList<Spread> spreads)
    {
        var ranked = measured.Zip(spreads).OrderBy(x => x.Second.Value).ToList();
        var lowest = ranked[0].Second;
        return new P99Verdict(VerdictBasis.Seconds, [.. ranked.Select(x =>
            new Contender(x.First, x.Second.Value, x.Second, null, BeyondNoise: x.Second.Low > lowest.High))]);
    }
}
