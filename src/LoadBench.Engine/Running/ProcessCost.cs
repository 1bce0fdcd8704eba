using System.Globalization;

namespace LoadBench.Engine.Running;

/// <summary>
/// A process the engine did not build but whose cost belongs to the server side — nginx in front of the replicas:
/// its CPU time and resident memory, and those of its children (nginx's workers do the work, the master only
/// watches them), read from <c>/proc/PID/stat</c> and <c>/proc/PID/status</c>. Linux only; a process that is gone
/// reads as nothing.
/// </summary>
internal static class ProcessCost
{
    /// <summary>Kernel clock ticks per second for <c>utime</c>/<c>stime</c>: 100 on every Linux LoadBench runs on.</summary>
    private const double TicksPerSecond = 100;

    public static (double CpuMs, long ResidentBytes) Read(int pid)
    {
        double cpuMs = 0;
        long resident = 0;
        foreach (var member in WithChildren(pid))
        {
            if (ReadStat(member) is { } stat)
            {
                cpuMs += (stat.UserTicks + stat.SystemTicks) * 1000 / TicksPerSecond;
                resident += ReadResidentBytes(member);
            }
        }

        return (cpuMs, resident);
    }

    private static List<int> WithChildren(int pid)
    {
        var members = new List<int> { pid };
        try
        {
            foreach (var folder in Directory.EnumerateDirectories("/proc"))
            {
                if (int.TryParse(Path.GetFileName(folder), NumberStyles.None, CultureInfo.InvariantCulture, out var candidate)
                    && candidate != pid && ReadStat(candidate) is { ParentPid: var parent } && parent == pid)
                {
                    members.Add(candidate);
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }

        return members;
    }

    private static (int ParentPid, long UserTicks, long SystemTicks)? ReadStat(int pid)
    {
        try
        {
            var text = File.ReadAllText($"/proc/{pid}/stat");
            // The command name (field 2) is in parentheses and may hold spaces: the fields that follow start after ')'.
            var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
            // After the name: state(3) ppid(4) … utime(14) stime(15), so indexes 1, 11 and 12 here.
            return (int.Parse(fields[1], CultureInfo.InvariantCulture),
                long.Parse(fields[11], CultureInfo.InvariantCulture), long.Parse(fields[12], CultureInfo.InvariantCulture));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException or ArgumentOutOfRangeException)
        {
            return null;
        }
    }

    private static long ReadResidentBytes(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
        }

        return 0;
    }
}
