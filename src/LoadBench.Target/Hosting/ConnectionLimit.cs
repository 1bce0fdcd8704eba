namespace LoadBench.Target.Hosting;

/// <summary>
/// How many connections the target serves at once. The default leaves room under the process's open-file
/// limit: a plain Kestrel app that reaches the limit fails in accept and stops answering everyone, so we
/// refuse new connections well before it and keep serving the ones we have.
/// </summary>
internal sealed class ConnectionLimit(int max)
{
    /// <summary>File descriptors kept back for everything else: the runtime, logs, the listener, refusals.</summary>
    public const int Reserve = 1_000;

    private int _open;

    public int Max { get; } = max;

    public int Open => Volatile.Read(ref _open);

    public bool TryEnter()
    {
        if (Interlocked.Increment(ref _open) <= Max)
        {
            return true;
        }

        Interlocked.Decrement(ref _open);
        return false;
    }

    public void Exit() => Interlocked.Decrement(ref _open);

    public static int DefaultMax() => Math.Max(16, OpenFileLimit() - Reserve);

    /// <summary>The soft RLIMIT_NOFILE of this process, from /proc/self/limits (Linux); a safe guess elsewhere.</summary>
    public static int OpenFileLimit()
    {
        const string path = "/proc/self/limits";
        if (!File.Exists(path))
        {
            return 10_000;
        }

        foreach (var line in File.ReadLines(path))
        {
            if (line.StartsWith("Max open files", StringComparison.Ordinal))
            {
                var fields = line["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length > 0 && int.TryParse(fields[0], out var soft))
                {
                    return soft;
                }
            }
        }

        return 10_000;
    }
}
