using LoadBench.Gate.Thresholds;

namespace LoadBench.Gate.Verdicts;

public enum Verdict
{
    /// <summary>Within the limit.</summary>
    Pass,

    /// <summary>Beyond the limit (absolute), or beyond it and significant (relative): the build should stop.</summary>
    Fail,

    /// <summary>Beyond a relative limit, but the trials do not show it is more than noise: not flagged.</summary>
    NotSignificant,

    /// <summary>The metric does not exist for this transport, or there is no baseline to compare with.</summary>
    Skipped,
}

/// <summary>One threshold judged for one scenario: a row of the console table, a JUnit test case.</summary>
/// <param name="Scenario">The scenario's name.</param>
/// <param name="Transport">Its transport.</param>
/// <param name="Threshold">The rule.</param>
/// <param name="Baseline">Baseline value: the median of its trials (relative) or all its trials taken together (absolute); null if none.</param>
/// <param name="Current">This run's value, the same way.</param>
/// <param name="Change">Current / baseline − 1; null without a baseline value; ∞ from zero to something.</param>
/// <param name="PValue">One-sided Mann–Whitney p-value in the worse direction (relative thresholds only).</param>
/// <param name="Verdict">The outcome.</param>
/// <param name="Explanation">One sentence: why this verdict.</param>
/// <param name="BaselineTrials">The baseline's per-trial values (relative thresholds).</param>
/// <param name="CurrentTrials">This run's per-trial values.</param>
public sealed record GateCheck(
    string Scenario,
    string Transport,
    Threshold Threshold,
    double? Baseline,
    double? Current,
    double? Change,
    double? PValue,
    Verdict Verdict,
    string Explanation,
    IReadOnlyList<double> BaselineTrials,
    IReadOnlyList<double> CurrentTrials)
{
    /// <summary>The stable name of what was judged: <c>sse/latency/p99</c>.</summary>
    public string MetricId => $"{Transport}/{Threshold.Metric.Name}";
}

/// <summary>Everything a gate run decided.</summary>
/// <param name="Name">The scenario file's name.</param>
/// <param name="Checks">One per threshold and matching scenario, in file order.</param>
/// <param name="Alpha">Significance level used.</param>
/// <param name="CurrentTrials">Trials run now.</param>
/// <param name="BaselineTrials">Trials in the baseline (0 without one).</param>
/// <param name="Warnings">Things the reader must know (significance out of reach, an odd baseline).</param>
public sealed record GateReport(
    string Name,
    IReadOnlyList<GateCheck> Checks,
    double Alpha,
    int CurrentTrials,
    int BaselineTrials,
    IReadOnlyList<string> Warnings)
{
    public bool Passed => Checks.All(c => c.Verdict != Verdict.Fail);

    public IReadOnlyList<GateCheck> Failures => Checks.Where(c => c.Verdict == Verdict.Fail).ToList();
}
