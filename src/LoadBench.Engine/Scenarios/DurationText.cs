using System.Globalization;
using System.Text.RegularExpressions;

namespace LoadBench.Engine.Scenarios;

/// <summary>Durations as people write them in scenario files: <c>"10s"</c>, <c>"250ms"</c>, <c>"2m"</c>,
/// <c>"1h"</c>, <c>"1.5s"</c>, or a TimeSpan <c>"00:00:10"</c> as NBomber prints it.</summary>
internal static partial class DurationText
{
    public const string Examples = "\"10s\", \"250ms\", \"2m\" or \"00:00:10\"";

    [GeneratedRegex(@"^\s*(?<n>\d+(\.\d+)?)\s*(?<u>ms|s|m|h)\s*$")]
    private static partial Regex WithUnit();

    public static bool TryParse(string text, out TimeSpan value)
    {
        ArgumentNullException.ThrowIfNull(text);
        var match = WithUnit().Match(text);
        if (match.Success)
        {
            var n = double.Parse(match.Groups["n"].Value, CultureInfo.InvariantCulture);
            var ms = match.Groups["u"].Value switch
            {
                "ms" => n,
                "s" => n * 1000,
                "m" => n * 60_000,
                _ => n * 3_600_000,
            };
            if (ms <= TimeSpan.MaxValue.TotalMilliseconds)
            {
                value = TimeSpan.FromMilliseconds(ms);
                return true;
            }
        }

        // A bare "10" would parse as ten days in TimeSpan's "c" format; without a unit we insist on hh:mm:ss.
        value = default;
        return text.Contains(':', StringComparison.Ordinal)
            && TimeSpan.TryParseExact(text.Trim(), "c", CultureInfo.InvariantCulture, out value)
            && value >= TimeSpan.Zero;
    }
}
