using System.Globalization;
using LoadBench.Gate.Baselines;
using LoadBench.Gate.Metrics;
using LoadBench.Gate.Thresholds;
using LoadBench.Results;
using LoadBench.Statistics;
using LoadBench.Syntax.Rules;

namespace LoadBench.Gate.Verdicts;

/// <summary>
/// Judges a run's trials against the thresholds (and the baseline's trials). The method, in docs/gate.md:
/// an absolute threshold is checked on all trials taken as one run (histograms added, counts summed); a
/// relative one is a regression only when the median change across trials is beyond the limit (and beyond its
/// <c>min</c>) <em>and</em> a one-sided exact Mann–Whitney U test on the per-trial values says the shift is
/// unlikely to be noise (p ≤ alpha).
/// </summary>
public static class GateEvaluator
{
    public const double DefaultAlpha = 0.05;

    public static GateReport Evaluate(
        string name, IReadOnlyList<Threshold> thresholds, IReadOnlyList<ResultsDocument> trials, BaselineDocument? baseline, double alpha = DefaultAlpha)
    {
        ArgumentNullException.ThrowIfNull(thresholds);
        ArgumentNullException.ThrowIfNull(trials);
        if (trials.Count == 0)
        {
            throw new ArgumentException("A gate needs at least one trial.", nameof(trials));
        }

        if (alpha is <= 0 or >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "alpha is a probability between 0 and 1.");
        }

        var checks = new List<GateCheck>();
        // Grouped by scenario, then in file order: a reader sees everything about one transport together.
        foreach (var scenario in trials[0].Scenarios)
        {
            foreach (var threshold in thresholds.Where(t => Applies(t, scenario)))
            {
                var current = trials.Select(t => Find(t, scenario.Name)).OfType<ScenarioResult>().ToList();
                // Only a baseline of the same setup judges (BaselineCompatibility refuses others before the run; this
                // holds for a library caller too): another setup's figures are no baseline at all.
                var before = baseline?.Trials.Select(t => Find(t, scenario.Name)).OfType<ScenarioResult>().Where(b => SetupResults.Same(b, scenario)).ToList() ?? [];
                checks.Add(threshold switch
                {
                    AbsoluteThreshold a => CheckAbsolute(scenario, a, current, before),
                    RelativeThreshold r => CheckRelative(scenario, r, current, before, alpha),
                    _ => throw new InvalidOperationException($"Unknown threshold kind {threshold.GetType().Name}"),
                });
            }
        }

        return new GateReport(name, checks, alpha, trials.Count, baseline?.Trials.Count ?? 0, Warnings(thresholds, trials.Count, baseline, alpha));
    }

    /// <summary>Whether significance can be reached at all with these trial counts; a sentence if not.</summary>
    public static string? SignificanceWarning(int currentTrials, int baselineTrials, double alpha)
    {
        var smallest = MannWhitneyU.SmallestPossiblePValue(currentTrials, baselineTrials);
        if (smallest <= alpha)
        {
            return null;
        }

        var needed = MannWhitneyU.RepeatsNeeded(baselineTrials, alpha);
        var advice = needed is { } m
            ? $"use --repeat {m} or more with this baseline"
            : "make a baseline with more trials";
        return string.Create(CultureInfo.InvariantCulture,
            $"with {baselineTrials} baseline trial(s) and {currentTrials} trial(s) now, the smallest possible p-value is {smallest:0.###} > alpha {alpha}: no relative threshold can fail; {advice} (5 and 5 trials reach p = 0.004)");
    }

    private static List<string> Warnings(IReadOnlyList<Threshold> thresholds, int currentTrials, BaselineDocument? baseline, double alpha)
    {
        var warnings = new List<string>();
        if (!thresholds.OfType<RelativeThreshold>().Any())
        {
            return warnings;
        }

        if (baseline is null)
        {
            warnings.Add("no baseline: relative thresholds were skipped");
        }
        else if (SignificanceWarning(currentTrials, baseline.Trials.Count, alpha) is { } warning)
        {
            warnings.Add(warning);
        }

        return warnings;
    }

    private static bool Applies(Threshold threshold, ScenarioResult scenario) =>
        threshold.AppliesTo == ThresholdFile.AllKey || threshold.AppliesTo == scenario.Transport || threshold.AppliesTo == scenario.Name;

    private static ScenarioResult? Find(ResultsDocument document, string name) => document.Scenarios.FirstOrDefault(s => s.Name == name);

    private static GateCheck CheckAbsolute(ScenarioResult scenario, AbsoluteThreshold threshold, List<ScenarioResult> current, List<ScenarioResult> before)
    {
        var metric = threshold.Metric;
        var value = metric.Pooled(current);
        var baselineValue = before.Count > 0 ? metric.Pooled(before) : null;
        var change = Change(baselineValue, value);
        var perTrial = Values(metric, current);
        var perTrialBefore = Values(metric, before);
        if (value is not { } v)
        {
            return new GateCheck(scenario.Name, scenario.Transport, threshold, baselineValue, null, null, null, Verdict.Skipped,
                $"{metric.Name} is not measured for {scenario.Transport}", perTrialBefore, perTrial);
        }

        var holds = threshold.Holds(v);
        var explanation = holds
            ? $"{Units.Format(v, metric.Unit)} over {current.Count} trial(s) is within {threshold.DescribeLimit()}"
            : $"{Units.Format(v, metric.Unit)} over {current.Count} trial(s) breaks {threshold.DescribeLimit()}";
        return new GateCheck(scenario.Name, scenario.Transport, threshold, baselineValue, v, change, null, holds ? Verdict.Pass : Verdict.Fail,
            explanation, perTrialBefore, perTrial);
    }

    private static GateCheck CheckRelative(ScenarioResult scenario, RelativeThreshold threshold, List<ScenarioResult> current, List<ScenarioResult> before, double alpha)
    {
        var metric = threshold.Metric;
        var now = Values(metric, current);
        var then = Values(metric, before);
        if (before.Count == 0)
        {
            return new GateCheck(scenario.Name, scenario.Transport, threshold, null, now.Count > 0 ? Sample.Median(now) : null, null, null,
                Verdict.Skipped, "no baseline to compare with", then, now);
        }

        if (now.Count == 0 || then.Count == 0)
        {
            return new GateCheck(scenario.Name, scenario.Transport, threshold, then.Count > 0 ? Sample.Median(then) : null,
                now.Count > 0 ? Sample.Median(now) : null, null, null, Verdict.Skipped,
                $"{metric.Name} is not measured for {scenario.Transport} in {(now.Count == 0 ? "this run" : "the baseline")}", then, now);
        }

        var baselineMedian = Sample.Median(then);
        var currentMedian = Sample.Median(now);
        var change = Change(baselineMedian, currentMedian)!.Value;
        var worseBy = metric.Worse == Worse.Higher ? change : -change;
        var beyondLimit = worseBy > threshold.MaxChange
            && (threshold.MinChange is not { } min || Math.Abs(currentMedian - baselineMedian) > min);
        var alternative = metric.Worse == Worse.Higher ? Alternative.Greater : Alternative.Less;
        var p = MannWhitneyU.Test(now, then, alternative).PValue;
        var significant = p <= alpha;
        var moved = $"{Units.Format(baselineMedian, metric.Unit)} → {Units.Format(currentMedian, metric.Unit)} ({FormatChange(change)})";
        var pText = string.Create(CultureInfo.InvariantCulture, $"p = {p:0.####}");

        var (verdict, explanation) = (beyondLimit, significant) switch
        {
            (true, true) => (Verdict.Fail,
                $"regression: {moved}, beyond {threshold.DescribeLimit()}, and significant ({pText} <= {Invariant(alpha)}, {now.Count} vs {then.Count} trials)"),
            (true, false) => (Verdict.NotSignificant,
                $"{moved} is beyond {threshold.DescribeLimit()} but not significant ({pText} > {Invariant(alpha)}): noise cannot be ruled out; more trials would tell"),
            _ => (Verdict.Pass, $"{moved} is within {threshold.DescribeLimit()}"),
        };
        return new GateCheck(scenario.Name, scenario.Transport, threshold, baselineMedian, currentMedian, change, p, verdict, explanation, then, now);
    }

    private static List<double> Values(GateMetric metric, List<ScenarioResult> trials) =>
        trials.Select(metric.PerTrial).OfType<double>().ToList();

    /// <summary>current / baseline − 1; from 0 to 0 is no change, from 0 to anything is an infinite one.</summary>
    private static double? Change(double? baseline, double? current) => (baseline, current) switch
    {
        ({ } b, { } c) when b == 0 => c == 0 ? 0 : c > 0 ? double.PositiveInfinity : double.NegativeInfinity,
        ({ } b, { } c) => (c / b) - 1,
        _ => null,
    };

    public static string FormatChange(double change) => double.IsInfinity(change)
        ? (change > 0 ? "+∞%" : "-∞%")
        : (change * 100).ToString("+0.#;-0.#;0", CultureInfo.InvariantCulture) + "%";

    private static string Invariant(double value) => value.ToString(CultureInfo.InvariantCulture);
}
