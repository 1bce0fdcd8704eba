using System.Globalization;
using LoadBench.Results;
using LoadBench.Syntax.Rules;

namespace LoadBench.Engine.Limits;

/// <summary>Judges one step's result against the SLO with the reader the gate uses (<see cref="ResultMetrics"/>).</summary>
internal static class SloCheck
{
    /// <summary>The first rule that does not hold, with the value read; null when every rule holds. A metric
    /// the step has no figure for (no event delivered) breaks its rule: nothing met it.</summary>
    public static string? FirstBroken(IReadOnlyList<AbsoluteRule> slo, ScenarioResult result)
    {
        foreach (var rule in slo)
        {
            var value = ResultMetrics.Read(rule.Metric.Name, result);
            if (value is null)
            {
                return $"{rule.Text} (no value: nothing measured)";
            }

            if (!rule.Holds(value.Value))
            {
                return string.Create(CultureInfo.InvariantCulture, $"{rule.Text} (was {Units.Format(value.Value, rule.Metric.Unit)})");
            }
        }

        return null;
    }
}
