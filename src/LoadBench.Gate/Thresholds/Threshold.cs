using LoadBench.Gate.Metrics;
using LoadBench.Syntax.Rules;

namespace LoadBench.Gate.Thresholds;

/// <summary>Where a threshold was written: file, 1-based line and column, and its JSON path.</summary>
public sealed record ThresholdSource(string File, int Line, int Column, string Field)
{
    public override string ToString() => $"{File}:{Line}:{Column}: field '{Field}'";
}

/// <summary>
/// One rule from a scenario file's <c>thresholds</c>: a metric, the scenarios it applies to, and either an
/// absolute limit (<c>latency/p99 &lt;= 50ms</c>, checked on all trials taken as one run) or a largest change
/// against the baseline (<c>latency/p99 +15%</c>, checked as a regression: beyond the limit and significant).
/// The rule itself is parsed by <see cref="RuleExpression"/>; the gate adds what it applies to and how to
/// measure its metric.
/// </summary>
public abstract record Threshold
{
    /// <summary><c>all</c>, a transport id (<c>sse</c>) or a scenario name.</summary>
    public required string AppliesTo { get; init; }

    public required GateMetric Metric { get; init; }

    public required ThresholdSource Source { get; init; }

    /// <summary>The rule as written, for messages.</summary>
    public abstract string Text { get; }

    /// <summary>The limit in words, e.g. <c>≤ 50 ms</c> or <c>+15%</c>.</summary>
    public abstract string DescribeLimit();

    /// <summary>The threshold a parsed <paramref name="rule"/> makes for the scenarios <paramref name="appliesTo"/> names.</summary>
    internal static Threshold From(Rule rule, string appliesTo, ThresholdSource source)
    {
        // Every rule metric has its arithmetic in the catalog (MetricCatalog fails to load otherwise).
        var metric = MetricCatalog.Find(rule.Metric.Name)!;
        return rule switch
        {
            AbsoluteRule absolute => new AbsoluteThreshold { AppliesTo = appliesTo, Metric = metric, Source = source, Rule = absolute },
            RelativeRule relative => new RelativeThreshold { AppliesTo = appliesTo, Metric = metric, Source = source, Rule = relative },
            _ => throw new ArgumentException($"Unknown rule kind {rule.GetType().Name}", nameof(rule)),
        };
    }
}

/// <summary><c>metric OP value</c>: every trial taken together must satisfy it.</summary>
internal sealed record AbsoluteThreshold : Threshold
{
    public required AbsoluteRule Rule { get; init; }

    public override string Text => Rule.Text;

    public Comparison Comparison => Rule.Comparison;

    /// <summary>In the metric's own unit (ms, bytes per event, a fraction for rates).</summary>
    public double Limit => Rule.Limit;

    public bool Holds(double value) => Rule.Holds(value);

    public override string DescribeLimit() => Rule.DescribeLimit();

    public static string Symbol(Comparison comparison) => AbsoluteRule.Symbol(comparison);
}

/// <summary>
/// <c>metric +15%</c> (a rise beyond 15% is a regression) or <c>metric -10%</c> (a fall beyond 10%), with an
/// optional smallest change that matters (<c>(min 2ms)</c>).
/// </summary>
public sealed record RelativeThreshold : Threshold
{
    public required RelativeRule Rule { get; init; }

    public override string Text => Rule.Text;

    /// <summary>Largest allowed change in the worse direction, as a fraction (0.15 for 15%).</summary>
    public double MaxChange => Rule.MaxChange;

    /// <summary>Changes smaller than this, in the metric's unit, are never regressions; null: no floor.</summary>
    public double? MinChange => Rule.MinChange;

    public override string DescribeLimit() => Rule.DescribeLimit();
}
