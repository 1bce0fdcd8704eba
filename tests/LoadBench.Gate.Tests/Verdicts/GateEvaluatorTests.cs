using System.Text;
using LoadBench.Gate.Baselines;
using LoadBench.Gate.Tests.TestSupport;
using LoadBench.Gate.Thresholds;
using LoadBench.Gate.Verdicts;
using LoadBench.Results;

namespace LoadBench.Gate.Tests.Verdicts;

public sealed class GateEvaluatorTests
{
    private static readonly PlannedScenario[] Plan =
    [
        new("gate_sse", "sse", "KeepConstant(copies: 3, during: 00:00:01)", 50, 64, 0.5),
    ];

    [Fact]
    public void Relative_BeyondLimitAndSeparated_Fails()
    {
        var report = Evaluate("latency/p50 +50%", baseline: [1.0, 1.1, 0.9, 1.05, 0.95], now: [21, 22, 21.5, 20.8, 21.2]);

        var check = Assert.Single(report.Checks);
        Assert.Equal(Verdict.Fail, check.Verdict);
        Assert.Equal("sse/latency/p50", check.MetricId);
        Assert.Equal(1.0 / 252, check.PValue!.Value, 9);
        // The change is read from the results' own p50s (HdrHistogram keeps 3 significant digits).
        Assert.Equal((check.CurrentTrials.Order().ElementAt(2) / check.BaselineTrials.Order().ElementAt(2)) - 1, check.Change!.Value, 9);
        Assert.Equal(20.2, check.Change!.Value, 1);
        Assert.False(report.Passed);
    }

    [Fact]
    public void Relative_BeyondLimitButOverlapping_IsNotSignificant()
    {
        // The medians differ by 60%, but one noisy baseline trial is as slow as the current ones: maybe noise.
        var report = Evaluate("latency/p50 +50%", baseline: [1.0, 1.0, 3.0], now: [1.6, 1.6, 1.7]);

        var check = Assert.Single(report.Checks);
        Assert.Equal(Verdict.NotSignificant, check.Verdict);
        Assert.True(check.PValue > 0.05);
        Assert.True(report.Passed);
    }

    [Fact]
    public void Relative_SignificantButWithinLimit_Passes()
    {
        var report = Evaluate("latency/p50 +50%", baseline: [1.0, 1.01, 1.02, 1.03, 1.04], now: [1.2, 1.21, 1.22, 1.23, 1.24]);

        var check = Assert.Single(report.Checks);
        Assert.True(check.PValue < 0.05);
        Assert.Equal(Verdict.Pass, check.Verdict);
    }

    [Fact]
    public void Relative_BelowTheMinimumChange_Passes()
    {
        // +100% but only 0.3 ms: the floor says such changes do not matter.
        var report = Evaluate("latency/p50 +50% (min 2ms)", baseline: [0.3, 0.3, 0.3, 0.3, 0.3], now: [0.6, 0.6, 0.6, 0.6, 0.6]);

        Assert.Equal(Verdict.Pass, Assert.Single(report.Checks).Verdict);
    }

    [Fact]
    public void Relative_ThroughputFall_IsJudgedDownwards()
    {
        var before = Enumerable.Range(0, 5).Select(i => Trials.Document(Trials.Scenario("gate_sse", "sse", Trials.Constant(1), events: 500 + i))).ToList();
        var now = Enumerable.Range(0, 5).Select(i => Trials.Document(Trials.Scenario("gate_sse", "sse", Trials.Constant(1), events: 300 + i))).ToList();

        var report = GateEvaluator.Evaluate("t", Thresholds("throughput/events_per_second -10%"), now, Baseline(before));

        var check = Assert.Single(report.Checks);
        Assert.Equal(Verdict.Fail, check.Verdict);
        Assert.Equal((302.0 / 502) - 1, check.Change!.Value, 9);
    }

    [Fact]
    public void Relative_IdenticalTrials_PassWithPOne()
    {
        var report = Evaluate("bytes/total +5%", baseline: [1, 1, 1], now: [1, 1, 1]);

        var check = Assert.Single(report.Checks);
        Assert.Equal(Verdict.Pass, check.Verdict);
        Assert.Equal(1.0, check.PValue);
        Assert.Equal(0, check.Change);
    }

    [Fact]
    public void Absolute_IsCheckedOnAllTrialsTogether()
    {
        var now = new List<ResultsDocument>
        {
            Trials.Document(Trials.Scenario("gate_sse", "sse", Trials.Constant(10))),
            Trials.Document(Trials.Scenario("gate_sse", "sse", Trials.Constant(70), lost: 2)),
        };

        var report = GateEvaluator.Evaluate("t", Thresholds("latency/p90 <= 50ms", "integrity/lost == 0", "latency/max <= 100ms"), now, baseline: null);

        // Half the events took 70 ms: the p90 of both trials together is 70 ms, though one trial alone had 10 ms.
        Assert.Equal([Verdict.Fail, Verdict.Fail, Verdict.Pass], report.Checks.Select(c => c.Verdict));
        Assert.Equal(70, report.Checks[0].Current!.Value, 0);
        Assert.Equal(2, report.Checks[1].Current);
        Assert.Contains("breaks == 0", report.Checks[1].Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Absolute_MetricTheTransportLacks_IsSkipped()
    {
        var report = GateEvaluator.Evaluate("t", Thresholds("request_latency/p99 <= 50ms"), Trials.SseWithP50(1), baseline: null);

        var check = Assert.Single(report.Checks);
        Assert.Equal(Verdict.Skipped, check.Verdict);
        Assert.Contains("not measured for sse", check.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Relative_WithoutBaseline_IsSkippedWithAWarning()
    {
        var report = GateEvaluator.Evaluate("t", Thresholds("latency/p50 +10%"), Trials.SseWithP50(1, 2), baseline: null);

        Assert.Equal(Verdict.Skipped, Assert.Single(report.Checks).Verdict);
        Assert.Contains("no baseline", Assert.Single(report.Warnings), StringComparison.Ordinal);
    }

    [Fact]
    public void TooFewTrials_WarnThatNoRegressionCanBeSignificant()
    {
        var report = Evaluate("latency/p50 +10%", baseline: [1, 1.1], now: [30, 31]);

        Assert.Equal(Verdict.NotSignificant, Assert.Single(report.Checks).Verdict);
        var warning = Assert.Single(report.Warnings);
        Assert.Contains("smallest possible p-value is 0.167", warning, StringComparison.Ordinal);
        Assert.Contains("--repeat 5", warning, StringComparison.Ordinal);
    }

    [Fact]
    public void Checks_AreGroupedByScenario()
    {
        var doc = Trials.Document(Trials.Scenario("a", "sse", Trials.Constant(1)), Trials.Scenario("b", "ws", Trials.Constant(1)));
        var plan = new PlannedScenario[] { new("a", "sse", "x", 1, 1, 0), new("b", "ws", "x", 1, 1, 0) };
        var thresholds = ThresholdFile.Parse(Encoding.UTF8.GetBytes("""{"thresholds":{"all":["integrity/lost == 0","latency/p50 <= 5ms"],"ws":"latency/p99 <= 5ms"}}"""), "f", plan);

        var report = GateEvaluator.Evaluate("t", thresholds, [doc], baseline: null);

        Assert.Equal(["sse/integrity/lost", "sse/latency/p50", "ws/integrity/lost", "ws/latency/p50", "ws/latency/p99"], report.Checks.Select(c => c.MetricId));
    }

    [Fact]
    public void Relative_BaselineOfAnotherSetup_NeverJudges_NoBaselineFiguresAtAll()
    {
        // Ten times slower, but over HTTP/2 with TLS against a plain HTTP/1.1 baseline: not a regression, another scenario.
        var now = Trials.SseWithP50(10, 11, 10.5, 10.2, 10.8)
            .Select(d => d with { Scenarios = [.. d.Scenarios.Select(s => s with { Setup = new SetupResult { Http = "2", Tls = true } })] })
            .ToList();

        var report = GateEvaluator.Evaluate("t", Thresholds("latency/p50 +50%"), now, Baseline(Trials.SseWithP50(1.0, 1.1, 0.9, 1.05, 0.95)));

        var check = Assert.Single(report.Checks);
        Assert.NotEqual(Verdict.Fail, check.Verdict);
        Assert.Empty(check.BaselineTrials);
    }

    private static GateReport Evaluate(string threshold, double[] baseline, double[] now) =>
        GateEvaluator.Evaluate("t", Thresholds(threshold), Trials.SseWithP50(now), Baseline(Trials.SseWithP50(baseline)));

    internal static BaselineDocument Baseline(List<ResultsDocument> trials) =>
        BaselineFile.Create("test", trials.Select((t, i) => (t, $"trial{i}.json")).ToList(), DateTimeOffset.UnixEpoch);

    private static IReadOnlyList<Threshold> Thresholds(params string[] texts)
    {
        var json = "{\"thresholds\":{\"all\":[" + string.Join(",", texts.Select(t => $"\"{t}\"")) + "]}}";
        return ThresholdFile.Parse(Encoding.UTF8.GetBytes(json), "gate.json", Plan);
    }
}
