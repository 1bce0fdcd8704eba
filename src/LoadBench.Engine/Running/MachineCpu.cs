using System.Globalization;

namespace LoadBench.Engine.Running;

/// <summary>The machine's CPU ticks from the first line of <c>/proc/stat</c> (all cores, all processes): busy is
/// everything but idle and iowait. Without /proc (not Linux) unknown.</summary>
internal static class MachineCpu
{
    public static (long Busy, long Total)? Read()
    {
        try
        {
            return File.Exists("/proc/stat") ? Parse(File.ReadLines("/proc/stat").FirstOrDefault() ?? "") : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Parses <c>cpu  user nice system idle iowait irq softirq steal ...</c>.</summary>
    public static (long Busy, long Total)? Parse(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 5 || fields[0] != "cpu")
        {
            return null;
        }

        var ticks = new List<long>();
        foreach (var field in fields.Skip(1).Take(8))
        {
            if (!long.TryParse(field, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            {
                return null;
            }

            ticks.Add(value);
        }

        var total = ticks.Sum();
        var idle = ticks[3] + (ticks.Count > 4 ? ticks[4] : 0);
        return (total - idle, total);
    }
}
