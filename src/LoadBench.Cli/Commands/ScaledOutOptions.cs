using System.CommandLine;

namespace LoadBench.Cli.Commands;

/// <summary>A run behind a proxy, as the command line gave it (<see cref="Error"/> says what was wrong, if anything).</summary>
internal sealed record ScaledOutTarget(Uri? ControlUrl, IReadOnlyList<Uri> StatsUrls, IReadOnlyList<int> StatsPids, string? Error = null);

/// <summary>
/// <c>run</c>'s options for a target behind a proxy: <c>--target</c> is then the proxy (the feed URL the clients
/// use), <c>--control-url</c> the publisher (settings, info, <c>/stats</c>), <c>--stats-url</c> each replica whose
/// <c>/stats</c> is added to the server cost, <c>--stats-pid</c> each process (nginx's master) whose CPU and memory,
/// with its children's, are added too.
/// </summary>
internal sealed class ScaledOutOptions
{
    public Option<string?> ControlUrl { get; } = new("--control-url")
    {
        Description = "Behind a proxy: the publisher's own URL for settings, info and /stats; --target is then the proxy the clients use.",
    };

    public Option<string[]> StatsUrls { get; } = new("--stats-url")
    {
        Description = "A replica whose /stats is added to the server cost and to the proxy ↔ target bytes (repeat it per replica).",
        AllowMultipleArgumentsPerToken = false,
    };

    public Option<int[]> StatsPids { get; } = new("--stats-pid")
    {
        Description = "A process (nginx's master PID) whose CPU and memory, and its children's, are added to the server cost (Linux).",
    };

    public static ScaledOutOptions Create() => new();

    /// <summary>Null for a direct run (none of the options given).</summary>
    public ScaledOutTarget? Read(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        var control = parse.GetValue(ControlUrl);
        var stats = parse.GetValue(StatsUrls) ?? [];
        var pids = parse.GetValue(StatsPids) ?? [];
        if (control is null)
        {
            return stats.Length == 0 && pids.Length == 0
                ? null
                : new ScaledOutTarget(null, [], [], "--stats-url and --stats-pid belong to a run behind a proxy: give --control-url too.");
        }

        var urls = new List<Uri>();
        foreach (var text in stats.Prepend(control))
        {
            if (!Uri.TryCreate(text, UriKind.Absolute, out var url))
            {
                return new ScaledOutTarget(null, [], [], $"'{text}' is not an absolute URL like http://127.0.0.1:5081");
            }

            urls.Add(url);
        }

        return pids.Any(p => p <= 0)
            ? new ScaledOutTarget(null, [], [], $"--stats-pid must be a process id ≥ 1, got {pids.First(p => p <= 0)}.")
            : new ScaledOutTarget(urls[0], urls[1..], pids);
    }
}
