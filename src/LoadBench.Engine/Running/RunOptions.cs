using LoadBench.Engine.Transports;

namespace LoadBench.Engine.Running;

/// <summary>How <see cref="ScenarioRunner"/> runs a plan. Give either <see cref="TargetUrl"/> (a running
/// target) or <see cref="TargetProcess"/> (the engine starts one).</summary>
public sealed record RunOptions
{
    /// <summary>Use this running target (<c>--target URL</c>). Must be loopback unless <see cref="AllowNonLoopback"/>.</summary>
    public Uri? TargetUrl { get; init; }

    /// <summary>Start the target as a child process on a free loopback port and stop it afterwards.</summary>
    public TargetProcessOptions? TargetProcess { get; init; }

    /// <summary>
    /// A target behind a proxy (<c>--control-url</c>): <see cref="TargetUrl"/> is then the feed address the clients
    /// use (nginx), and this is the publisher's own address for settings, info and <c>/stats</c> (see
    /// <see cref="ScaledOutTargetApi"/>). Null: one target serves both.
    /// </summary>
    public Uri? ControlUrl { get; init; }

    /// <summary>More targets whose <c>/stats</c> are added to the control target's (<c>--stats-url</c>, the replicas).</summary>
    public IReadOnlyList<Uri> StatsUrls { get; init; } = [];

    /// <summary>Processes whose CPU and memory, with their children's, are added to the server cost (<c>--stats-pid</c>:
    /// nginx's master, whose workers are its children), read from /proc.</summary>
    public IReadOnlyList<int> StatsPids { get; init; } = [];

    /// <summary>Lets <see cref="TargetUrl"/> name a host that is not loopback. Off unless a person asked for it.</summary>
    public bool AllowNonLoopback { get; init; }

    /// <summary>The <see cref="TargetUrl"/> target's control token (<c>--control-token</c>): sent as
    /// <c>Authorization: Bearer</c> on the engine's control calls. A target the engine starts has none.</summary>
    public string? ControlToken { get; init; }

    /// <summary>Local addresses the clients spread their connections over, round robin, bound before connect
    /// (<c>--source-address</c>; e.g. 127.0.0.2 and 127.0.0.3 on loopback): one source address has only ~28,000
    /// ephemeral ports towards one destination. Empty: the kernel picks.</summary>
    public IReadOnlyList<System.Net.IPAddress> SourceAddresses { get; init; } = [];

    /// <summary>The SHA-256 fingerprint of the running target's HTTPS certificate (<c>--tls-fingerprint</c>, with
    /// <see cref="TargetUrl"/>): the one certificate TLS scenarios trust. A target the engine starts publishes its own.</summary>
    public string? TlsFingerprint { get; init; }

    /// <summary>The target's endpoint per protocol, found by the runner before the first scenario (null: HTTP/1.1 only).</summary>
    internal ClientEndpoints? Endpoints { get; init; }

    /// <summary>Makes one transport client. The default is the engine's own; tests pass fakes.</summary>
    internal Func<FeedClientOptions, IFeedClient> ClientFactory { get; init; } = FeedClientFactory.Create;

    /// <summary>Time-series resolution: one point (and one progress report) per interval.</summary>
    public TimeSpan SampleInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How often a closed model re-checks its target number of copies.</summary>
    public TimeSpan TickInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Longest wait, after the measured phase, for clients to receive the events published in it.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Longest wait for a cancelled client to return before it is counted as <c>client_stop_timeout</c>.</summary>
    public TimeSpan StopTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How often the run asks the target whether it still answers (<see cref="TargetWatchdog"/>);
    /// <see cref="TimeSpan.Zero"/> turns the watchdog off.</summary>
    internal TimeSpan TargetCheckInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How long the target may stay silent before the run stops as failed: with the check interval and the
    /// clients' stop, a dead target ends the run within 10 s.</summary>
    internal TimeSpan TargetSilenceLimit { get; init; } = TimeSpan.FromSeconds(6);

    /// <summary>
    /// Most copies started per second. Thousands of simultaneous connects overflow the target's accept
    /// backlog and turn into SYN retries a second later; spreading them keeps the start honest. Copies the
    /// plan wants beyond this start on the following ticks (a warm-up absorbs it).
    /// </summary>
    public int MaxCopyStartsPerSecond { get; init; } = 2000;

    /// <summary>Open-file budget checked before copies start (see <see cref="Running.FdBudget"/>).</summary>
    internal FdBudget FdBudget { get; init; } = new();

    /// <summary>
    /// Before the first scenario, each transport of the plan is driven this long against the target and the
    /// results are thrown away (<see cref="TargetWarmUp"/>); <see cref="TimeSpan.Zero"/> skips it.
    /// </summary>
    public TimeSpan TargetWarmUp { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The engine's one clock: intended starts, request latency, phase windows, the time series,
    /// back-off and every wait and timeout of the run; passed on to every client. (A target the engine starts is a
    /// real process: its start and stop keep <see cref="TargetProcessOptions.TimeProvider"/>.)</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>The clients' source of back-off jitter (see <see cref="FeedClientOptions.Randomizer"/>).</summary>
#pragma warning disable CA5394 // jitter, not security
    public Func<double> Randomizer { get; init; } = Random.Shared.NextDouble;
#pragma warning restore CA5394

    /// <summary>
    /// Trials of the whole plan (<c>loadbench run --repeat N</c>): each scenario runs this many times, interleaved
    /// per setup (<see cref="RepeatedTrials"/>), and its result keeps every trial beside their pool. 1: one run, as
    /// before, with no trials in the results.
    /// </summary>
    public int Repeat { get; init; } = 1;

    /// <summary>This engine process's CPU time so far: read at both ends of each measured phase, so a limit search
    /// can say how busy the engine was over the same window as the target (tests pass their own).</summary>
    internal Func<TimeSpan> EngineCpuTime { get; init; } = ProcessCpuTime;

    /// <summary>The whole machine's CPU ticks so far, busy and total (all processes, all cores; <c>/proc/stat</c>);
    /// null where unknown. Tells a limit search when something besides target and engine kept the cores busy.</summary>
    internal Func<(long Busy, long Total)?> MachineCpuTicks { get; init; } = MachineCpu.Read;

    private static TimeSpan ProcessCpuTime()
    {
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        return process.TotalProcessorTime;
    }
}
