using System.Globalization;

namespace LoadBench.Engine.Running;

/// <summary>
/// How many more sockets this process may open. Each process here may hold at most a fixed number of open
/// files (RLIMIT_NOFILE; 20,000 on the benchmark machine); a client loop that runs into it sees "Too many open
/// files" on connect and, in the runtime, can fail in worse ways. The scheduler therefore asks before it
/// starts copies and refuses the ones that would not fit (counted as the error <c>fd_limit</c>) instead.
/// </summary>
/// <remarks>
/// The limit is the soft RLIMIT_NOFILE from <c>/proc/self/limits</c> (the one open() enforces; .NET raises
/// it to the hard limit at startup), the count is the entries of <c>/proc/self/fd</c>. Without /proc
/// (not Linux) the budget is unlimited.
/// </remarks>
internal sealed class FdBudget
{
    private readonly Func<(long Limit, long Open)?> _read;

    /// <param name="reserve">File descriptors kept free for everything that is not a client socket: the
    /// engine's own HTTP client to the target, log files, the runtime's event pipes.</param>
    /// <param name="read">Reads (limit, open); null means the default /proc reader. Tests pass their own.</param>
    public FdBudget(int reserve = DefaultReserve, Func<(long Limit, long Open)?>? read = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(reserve);
        Reserve = reserve;
        _read = read ?? ReadProc;
    }

    public const int DefaultReserve = 64;

    public int Reserve { get; }

    /// <summary>Sockets that can still be opened (≥ 0), or <see cref="int.MaxValue"/> when unknown.</summary>
    public int Available()
    {
        if (_read() is not { } reading)
        {
            return int.MaxValue;
        }

        return (int)Math.Clamp(reading.Limit - reading.Open - Reserve, 0, int.MaxValue);
    }

    /// <summary>How many copies <paramref name="sockets"/> free sockets hold when <paramref name="streamsPerConnection"/>
    /// copies share one HTTP/2 connection: the budget counts connections, not subscribers.</summary>
    public static int CopiesFor(int sockets, int streamsPerConnection) =>
        sockets == int.MaxValue ? int.MaxValue : (int)Math.Min(int.MaxValue - 1, (long)sockets * Math.Max(1, streamsPerConnection));

    /// <summary>Parses the soft "Max open files" limit out of <c>/proc/self/limits</c> text; null when absent or unlimited.</summary>
    public static long? ParseSoftLimit(string limitsText)
    {
        ArgumentNullException.ThrowIfNull(limitsText);
        foreach (var line in limitsText.Split('\n'))
        {
            if (!line.StartsWith("Max open files", StringComparison.Ordinal))
            {
                continue;
            }

            var fields = line["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return fields.Length > 0 && long.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var soft) ? soft : null;
        }

        return null;
    }

    private static (long Limit, long Open)? ReadProc()
    {
        try
        {
            if (!File.Exists("/proc/self/limits") || ParseSoftLimit(File.ReadAllText("/proc/self/limits")) is not { } limit)
            {
                return null;
            }

            long open = 0;
            foreach (var _ in Directory.EnumerateFileSystemEntries("/proc/self/fd"))
            {
                open++;
            }

            return (limit, open);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
