using System.Globalization;

namespace LoadBench.Reporting;

/// <summary>
/// Numbers for people (Markdown, HTML, chart labels): invariant culture, so a report reads the same on every
/// machine, and as many digits as the measurement deserves — not more.
/// </summary>
internal static class Format
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>Milliseconds: three decimals below 1 ms, two below 100 ms, one below 10 s, none above.</summary>
    public static string Ms(double ms) => Math.Abs(ms) switch
    {
        < 1 => ms.ToString("0.###", Invariant),
        < 100 => ms.ToString("0.##", Invariant),
        < 10_000 => ms.ToString("#,0.#", Invariant),
        _ => ms.ToString("#,0", Invariant),
    };

    public static string Count(long value) => value.ToString("#,0", Invariant);

    /// <summary>Rates (events/s, requests/s): decimals only where they matter.</summary>
    public static string Rate(double value) => Math.Abs(value) switch
    {
        < 10 => value.ToString("0.##", Invariant),
        < 1_000 => value.ToString("#,0.#", Invariant),
        _ => value.ToString("#,0", Invariant),
    };

    /// <summary>
    /// Bytes per event and KiB: fractional, since headers shared over many events are; two decimals below 1 so
    /// a streaming transport's 0.25 B of headers per event does not round to a misleading 0.3 or 0.
    /// </summary>
    public static string Bytes(double value) => value.ToString(Math.Abs(value) < 1 ? "0.##" : "#,0.#", Invariant);

    /// <summary>A share 0..1 as a percentage: "12.5%".</summary>
    public static string Percent(double share) => (share * 100).ToString("0.##", Invariant) + "%";

    /// <summary>A value already in percent (0..100): small error rates keep their digits ("0.004").</summary>
    public static string PercentPoints(double percent) => percent.ToString(Math.Abs(percent) < 1 ? "0.####" : "0.##", Invariant);

    /// <summary>A signed change: "+1.5", "−0.25".</summary>
    public static string Signed(string formattedMagnitude, double value) =>
        value > 0 ? "+" + formattedMagnitude : value < 0 ? "−" + formattedMagnitude : formattedMagnitude;

    /// <summary>A ratio as "×2.4".</summary>
    public static string Times(double ratio) => "×" + ratio.ToString(ratio < 10 ? "0.##" : "#,0", Invariant);

    /// <summary>A p-value with its name: "p = 0.008", "p = 0.42", "p &lt; 0.001".</summary>
    public static string PValue(double p) => p < 0.001 ? "p < 0.001" : "p = " + Probability(p);

    /// <summary>A probability with the digits it deserves: "0.008", "0.1", "0.42".</summary>
    public static string Probability(double p) => p.ToString(p < 0.1 ? "0.###" : "0.##", Invariant);

    /// <summary>A range of milliseconds: "35.1–41".</summary>
    public static string MsRange(double low, double high) => Ms(low) + "–" + Ms(high);

    /// <summary>The round-trip form for machine-read files (CSV): no separators, every digit kept.</summary>
    public static string Exact(double value) => value.ToString("R", Invariant);

    public static string Exact(long value) => value.ToString(Invariant);
}
