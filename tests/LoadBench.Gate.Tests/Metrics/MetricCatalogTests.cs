using LoadBench.Gate.Metrics;
using LoadBench.Gate.Tests.TestSupport;
using LoadBench.Results;
using LoadBench.Syntax.Rules;

namespace LoadBench.Gate.Tests.Metrics;

public sealed class MetricCatalogTests
{
    [Fact]
    public void PooledP99_EqualsTheP99OfEverySampleRecordedInOneHistogram()
    {
        var first = Enumerable.Range(1, 500).Select(i => (long)i * 10).ToArray();
        var second = Enumerable.Range(1, 300).Select(i => 20_000L + (i * 100)).ToArray();
        var trials = new[] { Trials.Scenario("s", "sse", first), Trials.Scenario("s", "sse", second) };
        var all = HistogramCodec.NewHistogram();
        foreach (var v in first.Concat(second))
        {
            all.RecordValue(v);
        }

        var pooled = MetricCatalog.Find("latency/p99")!.Pooled(trials);

        Assert.Equal(all.GetValueAtPercentile(99) / 1000.0, pooled);
        // Averaging the two trials' p99s would have said something else entirely.
        Assert.NotEqual((trials[0].Latency.Event.P99Ms + trials[1].Latency.Event.P99Ms) / 2, pooled);
    }

    [Fact]
    public void PooledBytesPerEvent_IsTotalBytesOverTotalEvents()
    {
        var trials = new[]
        {
            Trials.Scenario("s", "sse", Trials.Constant(1), events: 100, payload: 10_000, framing: 1_000, headers: 1_000),
            Trials.Scenario("s", "sse", Trials.Constant(1), events: 300, payload: 30_000, framing: 3_000, headers: 200),
        };

        Assert.Equal((12_000.0 + 33_200) / 400, MetricCatalog.Find("bytes/total")!.Pooled(trials));
        Assert.Equal(1_200.0 / 400, MetricCatalog.Find("bytes/headers")!.Pooled(trials));
        Assert.Equal(120.0, MetricCatalog.Find("bytes/total")!.PerTrial(trials[0]));
    }

    [Fact]
    public void PooledBytesPerEvent_DividesByTheEventsTheCountedConnectionsCarried()
    {
        // Bytes are counted over the connections' whole lives (warm-up included): their own event count is the divisor.
        var trial = Trials.Scenario("s", "sse", Trials.Constant(1), events: 100, payload: 10_000, framing: 1_000, headers: 1_000);
        var lifetime = trial with { Bytes = LoadBench.Results.ResultFigures.Bytes(15_000, 1_500, 1_000, 150) };
        var older = trial with { Bytes = trial.Bytes with { Events = null } };

        Assert.Equal(17_500.0 / 150, MetricCatalog.Find("bytes/total")!.Pooled([lifetime]));
        Assert.Equal((17_500.0 + 12_000) / 250, MetricCatalog.Find("bytes/total")!.Pooled([lifetime, older]));
    }

    [Fact]
    public void PooledEventsPerSecond_CountsOnlyEventsInsideTheWindow_NotTheDrainsCatchUp()
    {
        // Each trial delivered 150 events by the end of the drain but only 100 inside its 2 s window.
        var trial = Trials.Scenario("s", "sse", Trials.Constant(1), events: 150, durationSeconds: 2, lost: 0, errors: 0, requests: 10);
        trial = trial with { Throughput = trial.Throughput with { EventsDeliveredInWindow = 100 } };

        Assert.Equal(200.0 / 4, MetricCatalog.Find("throughput/events_per_second")!.Pooled([trial, trial]));
    }

    [Fact]
    public void PooledCountsAreSummed_AndRatesAreRatiosOfSums()
    {
        var trials = new[]
        {
            Trials.Scenario("s", "poll", Trials.Constant(1), events: 100, durationSeconds: 2, lost: 0, errors: 1, requests: 1000),
            Trials.Scenario("s", "poll", Trials.Constant(1), events: 200, durationSeconds: 2, lost: 3, errors: 0, requests: 3000),
        };

        Assert.Equal(3, MetricCatalog.Find("integrity/lost")!.Pooled(trials));
        Assert.Equal(1.0 / 4000, MetricCatalog.Find("errors/rate")!.Pooled(trials));
        Assert.Equal(300.0 / 4, MetricCatalog.Find("throughput/events_per_second")!.Pooled(trials));
        Assert.Equal((50.0 + 50) * 1000 / 300, MetricCatalog.Find("server/cpu_ms_per_1000_events")!.Pooled(trials));
        Assert.Equal(100.0, MetricCatalog.Find("server/kib_per_connection")!.Pooled(trials));
    }

    [Fact]
    public void ErrorRate_WithoutRequests_IsZeroWithoutErrorsAndInfiniteWithThem()
    {
        var clean = Trials.Scenario("s", "sse", Trials.Constant(1), errors: 0, requests: 0);
        var broken = Trials.Scenario("s", "sse", Trials.Constant(1), errors: 2, requests: 0);
        var rate = MetricCatalog.Find("errors/rate")!;

        Assert.Equal(0, rate.Pooled([clean]));
        Assert.Equal(double.PositiveInfinity, rate.Pooled([clean, broken]));
        Assert.Equal(double.PositiveInfinity, rate.PerTrial(broken));
    }

    [Fact]
    public void RequestLatency_OfAStreamingTransport_IsNotMeasured()
    {
        var sse = Trials.Scenario("s", "sse", Trials.Constant(1));

        Assert.Null(MetricCatalog.Find("request_latency/p99")!.PerTrial(sse));
        Assert.Null(MetricCatalog.Find("request_latency/p99")!.Pooled([sse]));
    }

    [Fact]
    public void Names_AreUniqueAndHierarchical()
    {
        var names = MetricCatalog.All.Select(m => m.Name).ToList();

        Assert.Equal(names.Count, names.Distinct().Count());
        Assert.All(names, n => Assert.Matches("^[a-z_]+/[a-z0-9_]+$", n));
    }

    [Fact]
    public void All_MeasuresEveryMetricARuleMayName_InTheSameOrderUnitAndDirection()
    {
        Assert.Equal(
            RuleMetrics.All.Select(m => (m.Name, m.Unit, m.Worse, m.Description)),
            MetricCatalog.All.Select(m => (m.Name, m.Unit, m.Worse, m.Description)));
    }

    [Fact]
    public void PerTrial_ReadsEveryMetricARuleMayName_ThroughTheSharedReader()
    {
        // ResultMetrics (in Results) is the per-trial reader the engine's limit search uses too: no name may be missing.
        var trial = Trials.Scenario("s", "poll", Trials.Constant(2), requests: 10, errors: 1, withRequestLatency: true);

        Assert.All(RuleMetrics.All, m => Assert.Equal(ResultMetrics.Read(m.Name, trial), MetricCatalog.Find(m.Name)!.PerTrial(trial)));
        Assert.Equal(0.1, ResultMetrics.Read("errors/rate", trial));
    }
}
