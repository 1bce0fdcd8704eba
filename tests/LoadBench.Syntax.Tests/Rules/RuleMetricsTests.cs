using LoadBench.Syntax.Rules;

namespace LoadBench.Syntax.Tests.Rules;

public sealed class RuleMetricsTests
{
    [Fact]
    public void Names_AreUniqueAndHierarchical()
    {
        var names = RuleMetrics.All.Select(m => m.Name).ToList();

        Assert.Equal(names.Count, names.Distinct().Count());
        Assert.All(names, n => Assert.Matches("^[a-z_]+/[a-z0-9_]+$", n));
    }

    [Theory]
    [InlineData("latency/p99", MetricUnit.Milliseconds, Worse.Higher)]
    [InlineData("request_latency/max", MetricUnit.Milliseconds, Worse.Higher)]
    [InlineData("throughput/events_per_second", MetricUnit.PerSecond, Worse.Lower)]
    [InlineData("bytes/headers", MetricUnit.BytesPerEvent, Worse.Higher)]
    [InlineData("integrity/lost", MetricUnit.Count, Worse.Higher)]
    [InlineData("errors/rate", MetricUnit.Fraction, Worse.Higher)]
    [InlineData("server/kib_per_connection", MetricUnit.KiB, Worse.Higher)]
    public void Find_KnowsUnitAndDirection(string name, MetricUnit unit, Worse worse)
    {
        var metric = RuleMetrics.Find(name);

        Assert.NotNull(metric);
        Assert.Equal((unit, worse), (metric.Unit, metric.Worse));
    }

    [Theory]
    [InlineData("p99", new[] { "latency/p99", "request_latency/p99" })]
    [InlineData("LATENCY.P99", new[] { "latency/p99" })]
    [InlineData("integrity", new[] { "integrity/lost", "integrity/duplicates", "integrity/reorders", "integrity/reconnects", "integrity/gone" })]
    [InlineData("speed", new string[0])]
    public void Suggest_NamesWhatAPersonMeant(string written, string[] expected)
    {
        Assert.Equal(expected, RuleMetrics.Suggest(written));
    }
}
