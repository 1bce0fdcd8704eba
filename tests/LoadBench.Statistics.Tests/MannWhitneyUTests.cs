using LoadBench.Statistics;

namespace LoadBench.Statistics.Tests;

public sealed class MannWhitneyUTests
{
    [Fact]
    public void Test_FullySeparatedFiveAgainstFive_GivesOneIn252()
    {
        var result = MannWhitneyU.Test([6, 7, 8, 9, 10], [1, 2, 3, 4, 5], Alternative.Greater);

        Assert.Equal(25, result.U);
        Assert.Equal(1.0 / 252, result.PValue, 12);
        Assert.Equal(0.004, result.PValue, 3);
    }

    [Fact]
    public void Test_FullySeparatedThreeAgainstThree_GivesExactlyFivePercent()
    {
        var result = MannWhitneyU.Test([10, 11, 12], [1, 2, 3], Alternative.Greater);

        Assert.Equal(0.05, result.PValue, 12);
    }

    [Fact]
    public void Test_FourAgainstFourWithUThirteen_MatchesTheTableValue()
    {
        // Mann & Whitney's (1947) table for n1 = n2 = 4: P(U <= 3) = 0.100, i.e. P(U >= 13) one-sided.
        var result = MannWhitneyU.Test([5, 6, 7, 9], [1, 2, 3, 8], Alternative.Greater);

        Assert.Equal(13, result.U);
        Assert.Equal(0.1, result.PValue, 12);
    }

    [Fact]
    public void Test_AllValuesIdentical_GivesPOne()
    {
        var result = MannWhitneyU.Test([4, 4, 4], [4, 4, 4, 4], Alternative.Greater);

        Assert.Equal(1.0, result.PValue, 12);
        Assert.Equal(6, result.U);
    }

    [Fact]
    public void Test_LessAlternative_IsTheMirrorOfGreater()
    {
        var greater = MannWhitneyU.Test([6, 7, 8, 9, 10], [1, 2, 3, 4, 5], Alternative.Greater);
        var less = MannWhitneyU.Test([1, 2, 3, 4, 5], [6, 7, 8, 9, 10], Alternative.Less);
        var wrongWay = MannWhitneyU.Test([6, 7, 8, 9, 10], [1, 2, 3, 4, 5], Alternative.Less);

        Assert.Equal(greater.PValue, less.PValue, 12);
        Assert.Equal(1.0, wrongWay.PValue, 12);
    }

    [Theory]
    [InlineData(new double[] { 1, 2, 2, 3, 5 }, new double[] { 2, 3, 3, 4 })]
    [InlineData(new double[] { 7, 7, 8 }, new double[] { 7, 6, 6, 9, 1 })]
    [InlineData(new double[] { 0.5, 1.5, 2.5, 3.5 }, new double[] { 1, 2, 3, 4, 5, 6 })]
    public void Test_WithTies_EqualsBruteForceEnumerationOfEveryRelabelling(double[] current, double[] baseline)
    {
        // Independent truth: enumerate every way of labelling n of the pooled values "current" and count the
        // labellings whose U is at least the observed one (U counted pairwise, ties ½).
        var pooled = current.Concat(baseline).ToArray();
        var observed = PairwiseU(current, baseline);
        var total = 0;
        var atLeast = 0;
        foreach (var subset in Subsets(pooled.Length, current.Length))
        {
            var x = subset.Select(i => pooled[i]).ToArray();
            var y = Enumerable.Range(0, pooled.Length).Except(subset).Select(i => pooled[i]).ToArray();
            total++;
            if (PairwiseU(x, y) >= observed - 1e-9)
            {
                atLeast++;
            }
        }

        var result = MannWhitneyU.Test(current, baseline, Alternative.Greater);

        Assert.Equal(observed, result.U, 9);
        Assert.Equal((double)atLeast / total, result.PValue, 12);
    }

    [Fact]
    public void TwoSided_FullySeparatedFiveAgainstFive_IsTwiceTheOneSidedPValueEitherWay()
    {
        var lower = MannWhitneyU.Test([1, 2, 3, 4, 5], [6, 7, 8, 9, 10], Alternative.TwoSided);
        var higher = MannWhitneyU.Test([6, 7, 8, 9, 10], [1, 2, 3, 4, 5], Alternative.TwoSided);

        Assert.Equal(2.0 / 252, lower.PValue, 12);
        Assert.Equal(2.0 / 252, higher.PValue, 12);
        Assert.Equal(0, lower.U);
    }

    [Fact]
    public void TwoSided_ThreeAgainstThree_CanNeverGoBelowTenPercent()
    {
        // The best three trials each can do two-sided: C(6, 3) = 20 labellings, 2 of them fully separated.
        Assert.Equal(0.1, MannWhitneyU.Test([1, 2, 3], [10, 11, 12], Alternative.TwoSided).PValue, 12);
        Assert.Equal(0.1, MannWhitneyU.SmallestPossiblePValue(3, 3, Alternative.TwoSided), 12);
        Assert.Equal(1.0, MannWhitneyU.SmallestPossiblePValue(1, 1, Alternative.TwoSided), 12);
    }

    [Theory]
    [InlineData(new double[] { 1, 2, 2, 3, 5 }, new double[] { 2, 3, 3, 4 })]
    [InlineData(new double[] { 7, 7, 8 }, new double[] { 7, 6, 6, 9, 1 })]
    [InlineData(new double[] { 9, 10, 12, 15 }, new double[] { 1, 2, 3, 4, 5 })]
    public void TwoSided_EqualsTwiceTheSmallerBruteForceTail(double[] current, double[] baseline)
    {
        // Independent truth: every relabelling, counted on both sides of the observed U (ties ½), as R's
        // wilcox.test(exact = TRUE) defines the two-sided p-value.
        var pooled = current.Concat(baseline).ToArray();
        var observed = PairwiseU(current, baseline);
        var (total, atLeast, atMost) = (0, 0, 0);
        foreach (var subset in Subsets(pooled.Length, current.Length))
        {
            var x = subset.Select(i => pooled[i]).ToArray();
            var y = Enumerable.Range(0, pooled.Length).Except(subset).Select(i => pooled[i]).ToArray();
            var u = PairwiseU(x, y);
            total++;
            atLeast += u >= observed - 1e-9 ? 1 : 0;
            atMost += u <= observed + 1e-9 ? 1 : 0;
        }

        var result = MannWhitneyU.Test(current, baseline, Alternative.TwoSided);

        Assert.Equal(Math.Min(1.0, 2.0 * Math.Min(atLeast, atMost) / total), result.PValue, 12);
    }

    [Theory]
    [InlineData(3, 3, 0.05)]
    [InlineData(5, 5, 1.0 / 252)]
    [InlineData(2, 2, 1.0 / 6)]
    [InlineData(3, 4, 1.0 / 35)]
    public void SmallestPossiblePValue_IsOneOverBinomial(int n, int m, double expected) =>
        Assert.Equal(expected, MannWhitneyU.SmallestPossiblePValue(n, m), 12);

    [Theory]
    [InlineData(3, 0.05, 3)]
    [InlineData(5, 0.05, 2)]
    [InlineData(2, 0.05, 5)]
    [InlineData(5, 0.01, 4)]
    public void RepeatsNeeded_IsTheFewestTrialsThatCanReachAlpha(int baseline, double alpha, int expected) =>
        Assert.Equal(expected, MannWhitneyU.RepeatsNeeded(baseline, alpha));

    [Fact]
    public void RepeatsNeeded_OneBaselineTrialAndTinyAlpha_SaysNone() =>
        Assert.Null(MannWhitneyU.RepeatsNeeded(1, 0.001, limit: 50));

    [Fact]
    public void Test_EmptyOrNaNSample_IsRefused()
    {
        Assert.Throws<ArgumentException>(() => MannWhitneyU.Test([], [1], Alternative.Greater));
        Assert.Throws<ArgumentException>(() => MannWhitneyU.Test([double.NaN], [1], Alternative.Greater));
    }

    [Fact]
    public void Median_OddAndEvenCounts()
    {
        Assert.Equal(3, Sample.Median([5, 1, 3]));
        Assert.Equal(2.5, Sample.Median([4, 1, 3, 2]));
    }

    private static double PairwiseU(double[] x, double[] y) =>
        x.Sum(a => y.Sum(b => a > b ? 1.0 : a.Equals(b) ? 0.5 : 0.0));

    private static IEnumerable<int[]> Subsets(int n, int k)
    {
        for (var mask = 0; mask < 1 << n; mask++)
        {
            if (System.Numerics.BitOperations.PopCount((uint)mask) == k)
            {
                yield return Enumerable.Range(0, n).Where(i => (mask & (1 << i)) != 0).ToArray();
            }
        }
    }
}
