using LoadBench.Syntax.Rules;

namespace LoadBench.Syntax.Tests.Rules;

public sealed class RuleExpressionTests
{
    [Theory]
    [InlineData("latency/p99 <= 50ms", Comparison.AtMost, 50)]
    [InlineData("latency/p99<=50 ms", Comparison.AtMost, 50)]
    [InlineData("latency/p99 < 0.5s", Comparison.Below, 500)]
    [InlineData("latency/p50 <= 800us", Comparison.AtMost, 0.8)]
    [InlineData("integrity/lost == 0", Comparison.EqualTo, 0)]
    [InlineData("errors/rate <= 0.1%", Comparison.AtMost, 0.001)]
    [InlineData("bytes/total <= 300", Comparison.AtMost, 300)]
    [InlineData("bytes/headers <= 1KiB", Comparison.AtMost, 1024)]
    [InlineData("throughput/events_per_second >= 100/s", Comparison.AtLeast, 100)]
    [InlineData("server/kib_per_connection > 2", Comparison.Above, 2)]
    public void Parse_Absolute_ReadsComparisonAndLimitInTheMetricsUnit(string text, Comparison comparison, double limit)
    {
        var threshold = Assert.IsType<AbsoluteRule>(RuleExpression.Parse(text, out var error));

        Assert.Null(error);
        Assert.Equal(comparison, threshold.Comparison);
        Assert.Equal(limit, threshold.Limit, 12);
    }

    [Fact]
    public void Parse_RelativeRise_ReadsPercentAndFloor()
    {
        var threshold = Assert.IsType<RelativeRule>(RuleExpression.Parse("latency/p50 +50% (min 2ms)", out _));

        Assert.Equal("latency/p50", threshold.Metric.Name);
        Assert.Equal(0.5, threshold.MaxChange, 12);
        Assert.Equal(2, threshold.MinChange);
        Assert.Equal("+50% (min 2 ms)", threshold.DescribeLimit());
    }

    [Fact]
    public void Parse_RelativeFallOfThroughput_IsAccepted()
    {
        var threshold = Assert.IsType<RelativeRule>(RuleExpression.Parse("throughput/events_per_second -10%", out _));

        Assert.Equal(Worse.Lower, threshold.Metric.Worse);
        Assert.Equal(0.1, threshold.MaxChange, 12);
        Assert.Null(threshold.MinChange);
    }

    [Theory]
    [InlineData("p99 <= 50ms", "unknown metric 'p99' (did you mean 'latency/p99' or 'request_latency/p99'?)")]
    [InlineData("latency/p42 <= 50ms", "unknown metric 'latency/p42'")]
    [InlineData("latency/p99 <= 50", "'latency/p99' takes ms, s or us")]
    [InlineData("errors/rate <= 0.001", "'errors/rate' takes % (a percentage is required")]
    [InlineData("integrity/lost <= 0.5", "'integrity/lost' takes no unit (a whole number)")]
    [InlineData("latency/p99 -15%", "'latency/p99' regresses when it rises: write \"latency/p99 +15%\"")]
    [InlineData("throughput/events_per_second +10%", "regresses when it falls")]
    [InlineData("latency/p99 +0%", "the change must be above 0%")]
    [InlineData("latency/p99 +10% (min 2)", "'(min ...)' of 'latency/p99' takes ms, s or us")]
    [InlineData("latency/p99", "'latency/p99' has no limit")]
    [InlineData("latency/p99 about 50ms", "cannot read the limit \"about 50ms\"")]
    [InlineData("   ", "cannot read threshold")]
    public void Parse_Invalid_SaysWhatIsWrong(string text, string expected)
    {
        var threshold = RuleExpression.Parse(text, out var error);

        Assert.Null(threshold);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }
}
