using System.Globalization;
using LoadBench.Gate.Metrics;
using LoadBench.Gate.Thresholds;
using LoadBench.Gate.Verdicts;
using LoadBench.Syntax.Rules;

namespace LoadBench.Gate.Output;

/// <summary>The same cells for the console, Markdown and JUnit, so the three never disagree.</summary>
internal static class CheckCells
{
    public static readonly string[] Headers = ["scenario", "metric", "transport", "baseline", "current", "change", "limit", "p-value", "verdict"];

    public static string[] Row(GateCheck check) =>
    [
        check.Scenario,
        check.Threshold.Metric.Name,
        check.Transport,
        Value(check.Baseline, check.Threshold.Metric.Unit),
        Value(check.Current, check.Threshold.Metric.Unit),
        check.Change is { } c ? GateEvaluator.FormatChange(c) : "–",
        check.Threshold is RelativeThreshold ? $"{check.Threshold.DescribeLimit()} vs baseline" : check.Threshold.DescribeLimit(),
        check.PValue is { } p ? p.ToString("0.####", CultureInfo.InvariantCulture) : "–",
        Verdict(check.Verdict),
    ];

    public static string Verdict(Verdict verdict) => verdict switch
    {
        Verdicts.Verdict.Pass => "pass",
        Verdicts.Verdict.Fail => "FAIL",
        Verdicts.Verdict.NotSignificant => "pass (not significant)",
        _ => "skipped",
    };

    /// <summary>One line naming the check: <c>sse/latency/p99 +15% (gate_sse)</c>.</summary>
    public static string Title(GateCheck check) => $"{check.MetricId} {check.Threshold.DescribeLimit()} ({check.Scenario})";

    public static string Summary(GateReport report)
    {
        var failed = report.Failures;
        var counted = report.Checks.Count(c => c.Verdict != Verdicts.Verdict.Skipped);
        return failed.Count == 0
            ? $"gate {report.Name}: PASS — {counted} check(s) held over {report.CurrentTrials} trial(s)"
            : $"gate {report.Name}: FAIL — {failed.Count} of {counted} check(s) failed: {string.Join(", ", failed.Select(f => $"{f.MetricId} ({f.Scenario})"))}";
    }

    private static string Value(double? value, MetricUnit unit) => value is { } v ? Units.Format(v, unit) : "–";
}
