namespace LoadBench.Syntax.Rules;

/// <summary>What a metric's numbers are, which decides the units a threshold may write and how values print.</summary>
public enum MetricUnit
{
    /// <summary>Milliseconds; thresholds write <c>ms</c>, <c>s</c> or <c>us</c>.</summary>
    Milliseconds,

    /// <summary>Bytes per delivered event; thresholds write a number, <c>B</c> or <c>KiB</c>.</summary>
    BytesPerEvent,

    /// <summary>A count of things (lost events, errors); a plain integer.</summary>
    Count,

    /// <summary>Events per second; a plain number or <c>/s</c>.</summary>
    PerSecond,

    /// <summary>A share 0..1 stored as a fraction; thresholds write a percentage (<c>0.1%</c>).</summary>
    Fraction,

    /// <summary>Target CPU milliseconds per 1,000 delivered events; a plain number or <c>ms</c>.</summary>
    CpuMsPer1000Events,

    /// <summary>KiB of target memory per open connection; a plain number or <c>KiB</c>.</summary>
    KiB,
}

/// <summary>Which way is worse.</summary>
public enum Worse
{
    /// <summary>Latency, bytes, losses, errors, cost: a rise is a regression.</summary>
    Higher,

    /// <summary>Throughput: a fall is a regression.</summary>
    Lower,
}
