namespace LoadBench.Statistics;

/// <summary>Which way the alternative hypothesis points: is the <c>current</c> sample larger or smaller?</summary>
public enum Alternative
{
    /// <summary>H1: current values tend to be larger than baseline values (a latency or byte regression).</summary>
    Greater,

    /// <summary>H1: current values tend to be smaller than baseline values (a throughput regression).</summary>
    Less,

    /// <summary>
    /// H1: the samples differ, either way. For a question asked after looking at the data ("is the transport with
    /// the lower median really better?"), where a one-sided test in the direction the data happened to point would
    /// call a difference significant twice as often as it should.
    /// </summary>
    TwoSided,
}

/// <summary>The outcome of a Mann–Whitney U test.</summary>
/// <param name="U">U of the current sample: pairs (current, baseline) where current is larger, ties counting ½.</param>
/// <param name="PValue">Exact p-value (the permutation distribution of the rank sum, mid-ranks for ties): one-sided, or
/// for <see cref="Alternative.TwoSided"/> twice the smaller tail, at most 1.</param>
public readonly record struct MannWhitneyResult(double U, double PValue);

/// <summary>
/// The Mann–Whitney U (Wilcoxon rank-sum) test, exact; one-sided (the gate) or two-sided (the report). The gate compares a handful of trials
/// per side, where the normal approximation is poor, so the p-value is counted from the exact permutation
/// distribution: every way of choosing which of the pooled values were the "current" ones is equally likely
/// under H0. Ties get mid-ranks and the distribution is counted over those same mid-ranks, so the test stays
/// exact (and conservative) with tied values — identical samples give p = 1 for all-equal values.
/// </summary>
public static class MannWhitneyU
{
    /// <summary>Most values per side; the counting table grows with (n + m)³ and trials are few anyway.</summary>
    public const int MaxSampleSize = 50;

    public static MannWhitneyResult Test(IReadOnlyList<double> current, IReadOnlyList<double> baseline, Alternative alternative)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(baseline);
        if (current.Count == 0 || baseline.Count == 0)
        {
            throw new ArgumentException("Both samples need at least one value.");
        }

        if (current.Count > MaxSampleSize || baseline.Count > MaxSampleSize)
        {
            throw new ArgumentException($"At most {MaxSampleSize} values per sample.");
        }

        if (current.Concat(baseline).Any(double.IsNaN))
        {
            throw new ArgumentException("Samples must not contain NaN.");
        }

        if (!Enum.IsDefined(alternative))
        {
            throw new ArgumentOutOfRangeException(nameof(alternative));
        }

        return TestCore(current, baseline, alternative);
    }

    /// <summary>
    /// The smallest p-value a one-sided exact test can give with these sample sizes (no ties): 1 / C(n+m, n),
    /// reached only when the two samples do not overlap at all; twice that (at most 1) two-sided. If it is above
    /// alpha, no difference can ever be called significant.
    /// </summary>
    public static double SmallestPossiblePValue(int currentCount, int baselineCount, Alternative alternative = Alternative.Greater)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(currentCount);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(baselineCount);
        var oneSided = 1.0 / Binomial(currentCount + baselineCount, currentCount);
        return alternative == Alternative.TwoSided ? Math.Min(1.0, 2 * oneSided) : oneSided;
    }

    /// <summary>The fewest current trials that can reach <paramref name="alpha"/> against a baseline of
    /// <paramref name="baselineCount"/> trials, or null when none up to <paramref name="limit"/> can.</summary>
    public static int? RepeatsNeeded(int baselineCount, double alpha, int limit = 100)
    {
        for (var m = 1; m <= limit; m++)
        {
            if (SmallestPossiblePValue(m, baselineCount) <= alpha)
            {
                return m;
            }
        }

        return null;
    }

    private static MannWhitneyResult TestCore(IReadOnlyList<double> current, IReadOnlyList<double> baseline, Alternative alternative)
    {
        var n = current.Count;
        var total = n + baseline.Count;
        var pooled = current.Select(v => (Value: v, Current: true)).Concat(baseline.Select(v => (Value: v, Current: false)))
            .OrderBy(p => p.Value).ToArray();

        // Doubled mid-ranks are whole numbers: a tie group over 1-based ranks i..j gets rank (i + j) / 2.
        var doubledRanks = new int[total];
        for (var i = 0; i < total;)
        {
            var j = i;
            while (j + 1 < total && pooled[j + 1].Value.Equals(pooled[i].Value))
            {
                j++;
            }

            for (var k = i; k <= j; k++)
            {
                doubledRanks[k] = i + 1 + j + 1;
            }

            i = j + 1;
        }

        var observed = 0;
        for (var k = 0; k < total; k++)
        {
            if (pooled[k].Current)
            {
                observed += doubledRanks[k];
            }
        }

        // U = W − n(n+1)/2, with W the rank sum of the current sample.
        var u = (observed / 2.0) - (n * (n + 1) / 2.0);

        var counts = RankSumCounts(doubledRanks, n);
        var all = counts.Sum();
        double atLeast = 0;
        double atMost = 0;
        for (var s = 0; s < counts.Length; s++)
        {
            atLeast += s >= observed ? counts[s] : 0;
            atMost += s <= observed ? counts[s] : 0;
        }

        // Two-sided: twice the smaller tail (as R's wilcox.test does for the exact distribution).
        var p = alternative switch
        {
            Alternative.Greater => atLeast / all,
            Alternative.Less => atMost / all,
            _ => 2 * Math.Min(atLeast, atMost) / all,
        };
        return new MannWhitneyResult(u, Math.Min(1.0, p));
    }

    /// <summary>
    /// How many n-element subsets of the pooled values have each (doubled) rank sum: the exact null
    /// distribution. Counts are doubles: C(100, 50) overflows a long, and the ratio is all we need.
    /// </summary>
    private static double[] RankSumCounts(int[] doubledRanks, int n)
    {
        var maxSum = doubledRanks.Sum();
        // ways[k][s]: subsets of k values seen so far with doubled rank sum s.
        var ways = new double[n + 1, maxSum + 1];
        ways[0, 0] = 1;
        var reached = 0;
        foreach (var rank in doubledRanks)
        {
            reached += rank;
            for (var k = n; k >= 1; k--)
            {
                for (var s = reached; s >= rank; s--)
                {
                    var add = ways[k - 1, s - rank];
                    if (add != 0)
                    {
                        ways[k, s] += add;
                    }
                }
            }
        }

        var result = new double[maxSum + 1];
        for (var s = 0; s <= maxSum; s++)
        {
            result[s] = ways[n, s];
        }

        return result;
    }

    private static double Binomial(int n, int k)
    {
        double result = 1;
        for (var i = 1; i <= k; i++)
        {
            result = result * (n - k + i) / i;
        }

        return result;
    }
}
