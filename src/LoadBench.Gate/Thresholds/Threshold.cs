using System.Globalization;
using LoadBench.Gate.Metrics;

namespace LoadBench.Gate.Thresholds;

/// <summary>An absolute threshold's comparison.</summary>
public enum Comparison
{
    AtMost,
    Below,
    AtLeast,
    Above,
    EqualTo,
}

/// <summary>Where a threshold was written: file, 1-based line and column, and its JSON path.</summary>
public sealed record ThresholdSource(string File, int Line, int Column, string Field)
{
    public override string ToString() => $"{File}:{Line}:{Column}: field '{Field}'";
}

/// <summary>
/// One rule from a scenario file's <c>thresholds</c>: a metric, the scenarios it applies to, and either an
/// absolute limit (<c>latency/p99 &lt;= 50ms</c>, checked on all trials taken as one run) or a largest change
/// against the baseline (<c>latency/p99 +15%</c>, checked as a regression: beyond the limit and significant).
/// </summary>
public abstract record Threshold
{
    /// <summary><c>all</c>, a transport id (<c>sse</c>) or a scenario name.</summary>
    public required string AppliesTo { get; init; }

    public required GateMetric Metric { get; init; }

    /// <summary>The rule as written, for messages.</summary>
    public required string Text { get; init; }

    public required ThresholdSource Source { get; init; }

    /// <summary>The limit in words, e.g. <c>≤ 50 ms</c> or <c>+15%</c>.</summary>
    public abstract string DescribeLimit();
}

/// <summary><c>metric OP value</c>: every trial taken together must satisfy it.</summary>
public sealed record AbsoluteThreshold : Threshold
{
    public required Comparison Comparison { get; init; }

    /// <summary>In the metric's own unit (ms, bytes per event, a fraction for rates).</summary>
    public required double Limit { get; init; }

    public bool Holds(double value) => Comparison switch
    {
        Comparison.AtMost => value <= Limit,
        Comparison.Below => value < Limit,
        Comparison.AtLeast => value >= Limit,
        Comparison.Above => value > Limit,
        _ => value.Equals(Limit),
    };

    public override string DescribeLimit() => $"{Symbol(Comparison)} {Units.Format(Limit, Metric.Unit)}";

    public static string Symbol(Comparison comparison) => comparison switch
    {
        Comparison.AtMost => "<=",
        Comparison.Below => "<",
        Comparison.AtLeast => ">=",
        Comparison.Above => ">",
        _ => "==",
    };
}

/// <summary>
/// <c>metric +15%</c> (a rise beyond 15% is a regression) or <c>metric -10%</c> (a fall beyond 10%), with an
/// optional smallest change that matters (<c>(min 2ms)</c>): sub-millisecond latencies double from noise alone.
/// </summary>
public sealed record RelativeThreshold : Threshold
{
    /// <summary>Largest allowed change in the worse direction, as a fraction (0.15 for 15%).</summary>
    public required double MaxChange { get; init; }

    /// <summary>Changes smaller than this, in the metric's unit, are never regressions; null: no floor.</summary>
    public double? MinChange { get; init; }

    public override string DescribeLimit()
    {
        var sign = Metric.Worse == Worse.Higher ? "+" : "-";
        var percent = (MaxChange * 100).ToString("0.##", CultureInfo.InvariantCulture);
        return MinChange is { } min ? $"{sign}{percent}% (min {Units.Format(min, Metric.Unit)})" : $"{sign}{percent}%";
    }
}
