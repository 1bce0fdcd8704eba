using System.CommandLine;
using System.Globalization;
using LoadBench.Cli.Progress;
using LoadBench.Cli.Scenarios;
using LoadBench.Engine.Distributed;
using LoadBench.Engine.Distributed.Coordinator;
using LoadBench.Engine.Running;
using LoadBench.Engine.Scenarios;
using LoadBench.Reporting;
using LoadBench.Results;

namespace LoadBench.Cli.Commands;

/// <summary><c>loadbench run SCENARIO</c>: runs a scenario file (or a built-in one, by name) and writes results and reports.</summary>
internal static class RunCommand
{
    /// <summary>
    /// Most trials <c>--repeat</c> accepts: enough for the report's test to tell small differences apart (5 trials
    /// each reach p = 0.008), few enough that a typo cannot keep the machine busy for hours (20 × the main job's
    /// ~2.5 minutes is 50 minutes).
    /// </summary>
    public const int MaxRepeat = 20;

    public static Command Create()
    {
        var scenario = new Argument<string>("SCENARIO") { Description = ScenarioArgument.Description };
        var output = new Option<DirectoryInfo?>("--output", "-o") { Description = "Folder for results and reports (default: results/<UTC time>-<scenario>/)." };
        var target = new Option<string?>("--target") { Description = "Use a running target at this URL instead of starting one (loopback only)." };
        var allowRemote = new Option<bool>("--allow-non-loopback") { Description = "Allow a --target that is not 127.0.0.0/8, ::1 or localhost. Only for targets you own." };
        var token = ControlTokenOption.ForEngine();
        var scaledOut = ScaledOutOptions.Create();
        var pinCpus = new Option<bool>("--pin-cpus") { Description = "Pin the target it starts to core 0 and the engine to the others (Linux, taskset)." };
        var quiet = new Option<bool>("--quiet") { Description = "No progress display; only the result summary." };
        var repeat = new Option<int>("--repeat", "-n")
        {
            Description = $"Run the whole plan N times (1..{MaxRepeat}, default 1), interleaved per setup, and keep every trial: the report then shows each figure as the median and range of the trials, and names a transport better only when the Mann-Whitney test says the difference is not noise.",
            DefaultValueFactory = _ => 1,
        };
        var nats = new Option<string?>("--nats") { Description = "Spread the load over load agents ('loadbench agent') on this NATS server, e.g. nats://127.0.0.1:4222; needs --agents." };
        var agents = new Option<int>("--agents") { Description = "How many load agents carry the load (with --nats); the run waits up to 30 s for them." };
        var sharedFeed = new Option<bool>("--shared-feed")
        {
            Description = "With --agents: another coordinated run uses the same publisher at the same time, so this one never changes its settings (set rate and payload first; each scenario checks they are its own).",
        };
        var keyLog = new Option<string?>("--tls-key-log") { Description = "Write the TLS session keys of the clients' connections to FILE (NSS key log format, as SSLKEYLOGFILE), so a capture of the run can be decrypted with Wireshark." };
        var fingerprint = new Option<string?>("--tls-fingerprint") { Description = "With --target: the SHA-256 of the target's HTTPS certificate (64 hex digits; the target prints it at start). TLS scenarios trust that certificate and no other." };
        var sources = new Option<string[]>("--source-address")
        {
            Description = "A local address to open connections from (repeatable); connections are spread over them, round robin.",
            AllowMultipleArgumentsPerToken = true,
        };
        var command = new Command("run", $"""
            Run a scenario file, or a built-in scenario by name ('loadbench scenarios' lists them): start the
            target (unless --target), drive each scenario's transport, and write results.json, summary.csv,
            report.md, report.html and plots/ into the output folder. One run's differences include the
            machine's noise: --repeat N runs every scenario N times and keeps every trial, so the report can
            tell a real difference from chance (two-sided p <= 0.1: with 3 trials each, every trial apart;
            5 trials each reach p = 0.008 and see smaller differences).

            Examples:
              loadbench run quick
              loadbench run compare-transports
              loadbench run compare-transports --repeat 3
              loadbench run scenarios/quick.json --output /tmp/quick
              loadbench run scenarios/fanout.json --target http://127.0.0.1:5080
              loadbench run quick --nats nats://127.0.0.1:4222 --agents 3
              loadbench run scaleout --target http://127.0.0.1:8080 --control-url http://127.0.0.1:5080 \
                --stats-url http://127.0.0.1:5081 --stats-url http://127.0.0.1:5082 --stats-pid $(cat nginx.pid)

            {ExitCodes.HelpText}
            """)
        {
            scenario, output, target, allowRemote, token, pinCpus, quiet, repeat, nats, agents, sharedFeed, sources, keyLog, fingerprint,
            scaledOut.ControlUrl, scaledOut.StatsUrls, scaledOut.StatsPids,
        };
        command.SetAction((parse, cancellationToken) => RunAsync(
            parse.GetValue(scenario)!, parse.GetValue(output), parse.GetValue(target), parse.GetValue(allowRemote),
            parse.GetValue(pinCpus), parse.GetValue(quiet), parse.GetValue(repeat), parse.GetValue(token),
            new Distribution(parse.GetValue(nats), parse.GetValue(agents), parse.GetValue(sources) ?? [], parse.GetValue(sharedFeed)), scaledOut.Read(parse),
            new Tls(parse.GetValue(keyLog), parse.GetValue(fingerprint)), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(
        string scenarioArgument, DirectoryInfo? output, string? targetText, bool allowRemote, bool pinCpus, bool quiet, int repeat,
        string? controlToken, Distribution distribution, ScaledOutTarget? scaledOut, Tls tls, CancellationToken cancellationToken)
    {
        if (tls.Fingerprint is not null && !IsFingerprint(tls.Fingerprint))
        {
            await Console.Error.WriteLineAsync($"loadbench: --tls-fingerprint must be the certificate's SHA-256: 64 hex digits (colons allowed); got '{tls.Fingerprint}'");
            return ExitCodes.UsageError;
        }

        if (tls.Fingerprint is not null && targetText is null)
        {
            await Console.Error.WriteLineAsync("loadbench: --tls-fingerprint goes with --target: a target the engine starts publishes its own certificate to it.");
            return ExitCodes.UsageError;
        }

        if (tls.KeyLog is not null)
        {
            // Before the first TLS connection of the process: the runtime reads the setting once.
            await Console.Error.WriteLineAsync($"loadbench: TLS session keys go to {TlsKeyLog.Enable(tls.KeyLog)}");
        }

        if ((distribution.Nats is null) != (distribution.Agents == 0) || distribution.Agents < 0)
        {
            await Console.Error.WriteLineAsync("loadbench: --nats and --agents go together: --nats nats://HOST:4222 --agents N (N >= 1)");
            return ExitCodes.UsageError;
        }

        if (distribution.SharedFeed && (distribution.Nats is null || targetText is null))
        {
            await Console.Error.WriteLineAsync("loadbench: --shared-feed belongs to a run with --nats and --agents against a running --target.");
            return ExitCodes.UsageError;
        }

        if (SourceAddresses.Parse(distribution.Sources) is not { } sourceAddresses)
        {
            return ExitCodes.UsageError;
        }

        if (repeat is < 1 or > MaxRepeat)
        {
            await Console.Error.WriteLineAsync($"loadbench: --repeat must be between 1 and {MaxRepeat}, got {repeat}");
            return ExitCodes.UsageError;
        }

        Uri? target = null;
        if (targetText is not null && !Uri.TryCreate(targetText, UriKind.Absolute, out target))
        {
            await Console.Error.WriteLineAsync($"loadbench: --target '{targetText}' is not an absolute URL like http://127.0.0.1:5080");
            return ExitCodes.UsageError;
        }

        if (scaledOut is not null && (scaledOut.Error is not null || target is null))
        {
            await Console.Error.WriteLineAsync($"loadbench: {scaledOut.Error ?? "--control-url needs --target: the feed URL the clients use (the proxy)."}");
            return ExitCodes.UsageError;
        }

        // Errors name the path as the user typed it, or the built-in scenario.
        if (await ScenarioSource.LoadPlanOrReportAsync(scenarioArgument) is not { } plan)
        {
            return ExitCodes.UsageError;
        }

        // Before the first socket: the runtime reads it when it starts its socket engine.
        EngineProcess.PreferOneSocketThreadForSparseStreaming(plan);

        var options = new RunOptions
        {
            TargetUrl = target,
            AllowNonLoopback = allowRemote,
            ControlToken = controlToken,
            TargetProcess = target is null ? TargetLauncher.ForThisProgram(pinCpus) : null,
            ControlUrl = scaledOut?.ControlUrl,
            StatsUrls = scaledOut?.StatsUrls ?? [],
            StatsPids = scaledOut?.StatsPids ?? [],
            Repeat = repeat,
            SourceAddresses = sourceAddresses,
            TlsFingerprint = tls.Fingerprint,
        };
        var directory = output?.FullName ?? ResultsOutput.DefaultDirectory(plan.Name);

        using var stop = Interruption.Link(cancellationToken);
        ResultsDocument results;
        try
        {
            await using var progress = ProgressDisplay.Create(quiet);
            results = distribution.Nats is { } natsUrl
                ? await DistributedRunner.RunAsync(plan, new DistributedRunOptions { NatsUrl = natsUrl, Agents = distribution.Agents, Run = options, SharedFeed = distribution.SharedFeed }, progress, stop.Token)
                : await ScenarioRunner.RunAsync(plan, options, progress, stop.Token);
        }
        catch (DistributedRunException e)
        {
            await Console.Error.WriteLineAsync($"loadbench: the distributed run failed: {e.Message}");
            return ExitCodes.RunFailed;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Stopped before the target answered: no scenario ran, so there is nothing to write.
            await Console.Error.WriteLineAsync($"loadbench: {Interruption.Signal ?? "interrupted"} before any scenario ran; nothing was written.");
            return ExitCodes.Interrupted;
        }
        catch (Exception e) when (e is TargetStartException or HttpRequestException)
        {
            await Console.Error.WriteLineAsync($"loadbench: the run failed: {e.Message}");
            return ExitCodes.RunFailed;
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync($"loadbench: {e.Message}");
            return ExitCodes.UsageError;
        }

        // Written even after a stop (never cancelled itself): what was measured is the result so far.
        var files = await ResultsOutput.WriteAsync(results, directory, CancellationToken.None);
        ResultsOutput.PrintSummary(results, files);
        if (results.Incomplete is { } incomplete)
        {
            // A signal wins over a failure seen after it: Ctrl-C in a terminal stops a target the engine started too.
            // Otherwise a distributed run that lost an agent is incomplete (4); a local one whose target failed, failed (3).
            var interrupted = stop.IsCancellationRequested;
            if (interrupted)
            {
                await Console.Error.WriteLineAsync(
                    $"loadbench: {Interruption.Signal ?? "interrupted"}: the results written are marked incomplete ({incomplete.Reason}).");
                return ExitCodes.Interrupted;
            }

            if (distribution.Nats is not null)
            {
                await Console.Error.WriteLineAsync($"loadbench: incomplete: {incomplete.Reason}. The results were written and are marked incomplete.");
                return ExitCodes.Incomplete;
            }

            await Console.Error.WriteLineAsync($"loadbench: the run failed: {incomplete.Reason}. The scenarios measured so far are written, marked incomplete.");
            return ExitCodes.RunFailed;
        }

        // A scenario whose load never opens a client measures the target idle, on purpose (docs/capacity.md):
        // delivering nothing is its result, not a failure — as is a feed that publishes nothing.
        var empty = NoEventsCheck.Failed(results, plan.Scenarios);
        if (empty.Count > 0)
        {
            await Console.Error.WriteLineAsync($"loadbench: no event was delivered in: {string.Join(", ", empty)}. The run failed.");
            return ExitCodes.RunFailed;
        }

        return ExitCodes.Success;
    }

    private static bool IsFingerprint(string text)
    {
        var hex = text.Replace(":", "", StringComparison.Ordinal);
        return hex.Length == 64 && hex.All(Uri.IsHexDigit);
    }

    /// <summary><c>--tls-key-log</c> and <c>--tls-fingerprint</c>.</summary>
    private sealed record Tls(string? KeyLog, string? Fingerprint);

    /// <summary>The distributed-run options: a NATS server, how many agents; source addresses for local clients.</summary>
    private sealed record Distribution(string? Nats, int Agents, string[] Sources, bool SharedFeed);
}
