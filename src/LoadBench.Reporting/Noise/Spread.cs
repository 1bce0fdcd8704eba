namespace LoadBench.Reporting.Noise;

/// <summary>What a figure's spread is made of.</summary>
internal enum SpreadBasis
{
    /// <summary>Repeated trials: the figure is their median, the spread their lowest and highest value.</summary>
    Trials,

    /// <summary>One run: the figure is the run's own, the spread a 95% bootstrap interval over its seconds.</summary>
    Seconds,
}

/// <summary>A figure and how far it could have been elsewhere.</summary>
/// <param name="Value">What the report shows: the trials' median, or the run's own value.</param>
/// <param name="Low">The lowest trial, or the interval's lower end.</param>
/// <param name="High">The highest trial, or the interval's upper end.</param>
/// <param name="Basis">Trials or seconds.</param>
/// <param name="Count">How many trials, or how many one-second histograms the interval rests on.</param>
internal sealed record Spread(double Value, double Low, double High, SpreadBasis Basis, int Count);
