using System.Globalization;

namespace LoadBench.Syntax.Rules;

/// <summary>
/// One rule as written in a scenario file, parsed by <see cref="RuleExpression"/>: a metric and either an
/// absolute limit (<c>latency/p99 &lt;= 50ms</c>) or a largest change against a baseline
/// (<c>latency/p99 +15%</c>). What it applies to and how it is judged belong to the reader that uses it.
/// </summary>
public abstract record Rule
{
    public required RuleMetric Metric { get; init; }

    /// <summary>The rule as written (trimmed), for messages.</summary>
    public required string Text { get; init; }

    /// <summary>The limit in words, e.g. <c>&lt;= 50 ms</c> or <c>+15%</c>.</summary>
    public abstract string DescribeLimit();
}

/// <summary><c>metric OP value</c>.</summary>
public sealed record AbsoluteRule : Rule
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
public sealed record RelativeRule : Rule
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
