namespace LoadBench.Statistics;

/// <summary>Small-sample helpers for per-trial values.</summary>
public static class Sample
{
    /// <summary>The median: robust to one odd trial, which is why the gate compares medians, not means.</summary>
    public static double Median(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0)
        {
            throw new ArgumentException("The median of nothing is undefined.", nameof(values));
        }

        var sorted = values.Order().ToArray();
        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
