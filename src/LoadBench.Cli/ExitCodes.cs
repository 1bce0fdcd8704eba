namespace LoadBench.Cli;

/// <summary>The exit codes every command uses; CI pipelines rely on them (README, <c>--help</c>).</summary>
public static class ExitCodes
{
    /// <summary>Everything ran and every threshold held.</summary>
    public const int Success = 0;

    /// <summary>A threshold or a regression check failed.</summary>
    public const int ThresholdFailed = 1;

    /// <summary>Usage or configuration error: bad arguments, a malformed scenario or baseline file.</summary>
    public const int UsageError = 2;

    /// <summary>The run itself failed: the target crashed or did not start, no event was delivered.</summary>
    public const int RunFailed = 3;

    /// <summary>Incomplete: results were written and are marked incomplete (an agent was lost mid-run).</summary>
    public const int Incomplete = 4;

    /// <summary>Interrupted by Ctrl-C or SIGTERM: what was measured was written, marked incomplete (128 + SIGINT, as shells report it).</summary>
    public const int Interrupted = 130;

    public const string HelpText =
        "Exit codes: 0 pass, 1 a threshold or regression failed, 2 usage or configuration error, 3 the run itself failed (target crashed, no events delivered; what was measured is still written), 4 incomplete (results written and marked incomplete), 130 interrupted (results written and marked incomplete).";
}
