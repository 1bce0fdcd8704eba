using System.Globalization;
using System.Text.RegularExpressions;

namespace LoadBench.Syntax.Rules;

/// <summary>
/// Parses one rule as written in a scenario file (the gate's thresholds, and the SLO of a limit search's <c>search</c> block):
/// <code>
/// latency/p99 &lt;= 50ms          absolute: OP is &lt;=, &lt;, &gt;=, &gt; or ==
/// integrity/lost == 0
/// errors/rate &lt;= 0.1%
/// latency/p99 +15%              relative to the baseline: a rise beyond 15% is a regression
/// throughput/events_per_second -10%
/// latency/p50 +50% (min 2ms)    ...and only when it also moved by at least 2 ms
/// </code>
/// </summary>
public static partial class RuleExpression
{
    [GeneratedRegex(@"^\s*(?<metric>[^\s<>=!+\-]+)\s*(?<rest>.*?)\s*$", RegexOptions.CultureInvariant)]
    private static partial Regex MetricAndRest();

    [GeneratedRegex(@"^(?<op><=|>=|==|<|>)\s*(?<value>[+-]?\d+(?:\.\d+)?)\s*(?<unit>[A-Za-zµ%/]*)$", RegexOptions.CultureInvariant)]
    private static partial Regex Absolute();

    [GeneratedRegex(@"^(?<sign>[+-])\s*(?<value>\d+(?:\.\d+)?)\s*%\s*(?:\(\s*min\s+(?<min>\d+(?:\.\d+)?)\s*(?<minUnit>[A-Za-zµ%/]*)\s*\))?$", RegexOptions.CultureInvariant)]
    private static partial Regex Relative();

    public const string Grammar =
        "'METRIC <= VALUE' (or <, >=, >, ==) for an absolute limit, or 'METRIC +15%' / 'METRIC -10%' (optionally '(min 2ms)') for a change against the baseline";

    /// <summary>Parses <paramref name="text"/>; on failure returns null and says why in <paramref name="error"/>.</summary>
    public static Rule? Parse(string text, out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        error = null;
        var head = MetricAndRest().Match(text);
        if (!head.Success || head.Groups["metric"].Value.Length == 0)
        {
            error = $"cannot read threshold \"{text}\"; write {Grammar}";
            return null;
        }

        var name = head.Groups["metric"].Value;
        var metric = RuleMetrics.Find(name);
        if (metric is null)
        {
            var suggestions = RuleMetrics.Suggest(name);
            error = suggestions.Count > 0
                ? $"unknown metric '{name}' (did you mean {string.Join(" or ", suggestions.Select(s => $"'{s}'"))}?); metrics are listed in docs/gate.md"
                : $"unknown metric '{name}'; known metrics: {string.Join(", ", RuleMetrics.All.Select(m => m.Name))}";
            return null;
        }

        var rest = head.Groups["rest"].Value;
        if (Absolute().Match(rest) is { Success: true } absolute)
        {
            var written = Number(absolute.Groups["value"].Value);
            var unit = absolute.Groups["unit"].Value;
            if (Units.ToMetricUnit(written, unit, metric.Unit) is not { } limit)
            {
                error = $"'{name}' takes {Units.Allowed(metric.Unit)}; got \"{absolute.Groups["value"].Value}{unit}\"";
                return null;
            }

            return new AbsoluteRule
            {
                Metric = metric, Text = text.Trim(),
                Comparison = absolute.Groups["op"].Value switch
                {
                    "<=" => Comparison.AtMost,
                    "<" => Comparison.Below,
                    ">=" => Comparison.AtLeast,
                    ">" => Comparison.Above,
                    _ => Comparison.EqualTo,
                },
                Limit = limit,
            };
        }

        if (Relative().Match(rest) is { Success: true } relative)
        {
            var sign = relative.Groups["sign"].Value;
            var expected = metric.Worse == Worse.Higher ? "+" : "-";
            if (sign != expected)
            {
                var word = metric.Worse == Worse.Higher ? "rise" : "fall";
                error = $"'{name}' regresses when it {(metric.Worse == Worse.Higher ? "rises" : "falls")}: write \"{name} {expected}{relative.Groups["value"].Value}%\" for the largest {word} allowed";
                return null;
            }

            var percent = Number(relative.Groups["value"].Value);
            if (percent <= 0 || (metric.Worse == Worse.Lower && percent >= 100))
            {
                error = $"the change must be above 0%{(metric.Worse == Worse.Lower ? " and below 100%" : "")}; got {sign}{relative.Groups["value"].Value}%";
                return null;
            }

            double? min = null;
            if (relative.Groups["min"].Success)
            {
                var minUnit = relative.Groups["minUnit"].Value;
                min = Units.ToMetricUnit(Number(relative.Groups["min"].Value), minUnit, metric.Unit);
                if (min is null)
                {
                    error = $"'(min ...)' of '{name}' takes {Units.Allowed(metric.Unit)}; got \"{relative.Groups["min"].Value}{minUnit}\"";
                    return null;
                }
            }

            return new RelativeRule
            {
                Metric = metric, Text = text.Trim(),
                MaxChange = percent / 100, MinChange = min,
            };
        }

        error = rest.Length == 0
            ? $"'{name}' has no limit; write {Grammar}"
            : $"cannot read the limit \"{rest}\" of '{name}'; write {Grammar}";
        return null;
    }

    private static double Number(string text) => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
}
