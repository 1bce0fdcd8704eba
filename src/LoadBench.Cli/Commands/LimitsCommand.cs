using System.CommandLine;
using System.Globalization;
using LoadBench.Cli.Progress;
using LoadBench.Cli.Scenarios;
using LoadBench.Engine.Distributed;
using LoadBench.Engine.Distributed.Coordinator;
using LoadBench.Engine.Limits;
using LoadBench.Engine.Running;
using LoadBench.Engine.Scenarios;
using LoadBench.Results;

namespace LoadBench.Cli.Commands;

/// <summary><c>loadbench limits SCENARIO</c>: finds, per transport, the highest load that meets the scenario's SLO.</summary>
internal static class LimitsCommand
{
    /// <summary>What a step costs beyond its warm-up, measured phase and drain (settings, full collections,
    /// stopping clients), for the worst case printed first.</summary>
    private static readonly TimeSpan OverheadPerStep = TimeSpan.FromSeconds(2);

    public static Command Create()
    {
        var scenario = new Argument<string>("SCENARIO") { Description = ScenarioArgument.Description };
        var output = new Option<DirectoryInfo?>("--output", "-o") { Description = "Folder for results and reports (default: results/<UTC time>-<scenario>/)." };
        var pinCpus = new Option<bool>("--pin-cpus") { Description = "Pin the target it starts to core 0 and the engine to the others (Linux, taskset); a limit with the engine at >= 90 % of its cores is then labelled engine-bound. Not with --target or --nats." };
        var target = new Option<string?>("--target") { Description = "Search against a running target at this URL instead of starting one (loopback only); its CPU is read from its /stats, the engine's from this process." };
        var allowRemote = new Option<bool>("--allow-non-loopback") { Description = "Allow a --target that is not 127.0.0.0/8, ::1 or localhost. Only for targets you own." };
        var token = ControlTokenOption.ForEngine();
        var nats = new Option<string?>("--nats") { Description = "Play every step on load agents ('loadbench agent') on this NATS server; needs --agents. The limit is then judged on the target's machine alone." };
        var agents = new Option<int>("--agents") { Description = "How many load agents carry the load (with --nats); the search waits up to 30 s for them." };
        var quiet = new Option<bool>("--quiet") { Description = "No progress display; only the result summary." };
        var command = new Command("limits", $"""
            Find where each transport breaks: for every scenario with a "search" block (scenarios/README.md,
            "Limit search"), step the load up x2 until the SLO breaks, then bisect to within 10 %. Prints the
            worst-case duration first; Ctrl-C keeps the steps done so far (marked incomplete, exit code 130).
            Writes results.json (with "limits") and the reports like 'run'. Exit code 3 when the target failed,
            4 when a load agent was lost (the steps done are written, marked incomplete).

            Examples:
              loadbench limits limits
              loadbench limits scenarios/limits.json --pin-cpus
              loadbench limits scenarios/limits.json --target http://127.0.0.1:5080
              loadbench limits scenarios/limits.json --nats nats://127.0.0.1:4222 --agents 2

            {ExitCodes.HelpText}
            """)
        {
            scenario, output, pinCpus, target, allowRemote, token, nats, agents, quiet,
        };
        command.SetAction((parse, cancellationToken) => RunAsync(
            parse.GetValue(scenario)!, parse.GetValue(output), parse.GetValue(pinCpus),
            new Where(parse.GetValue(target), parse.GetValue(allowRemote), parse.GetValue(token), parse.GetValue(nats), parse.GetValue(agents)),
            parse.GetValue(quiet), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(string scenarioArgument, DirectoryInfo? output, bool pinCpus, Where where, bool quiet, CancellationToken cancellationToken)
    {
        if ((where.Nats is null) != (where.Agents == 0) || where.Agents < 0)
        {
            await Console.Error.WriteLineAsync("loadbench: --nats and --agents go together: --nats nats://HOST:4222 --agents N (N >= 1)");
            return ExitCodes.UsageError;
        }

        Uri? targetUrl = null;
        if (where.Target is { } text && !Uri.TryCreate(text, UriKind.Absolute, out targetUrl))
        {
            await Console.Error.WriteLineAsync($"loadbench: --target '{text}' is not an absolute URL like http://127.0.0.1:5080");
            return ExitCodes.UsageError;
        }

        // Pinning places the target the engine starts and the engine beside it; a running target or agents elsewhere
        // are not on the cores it would assume, so an "engine-bound" label would be a guess.
        if (pinCpus && (targetUrl is not null || where.Nats is not null))
        {
            await Console.Error.WriteLineAsync("loadbench: --pin-cpus pins a target this command starts and the engine beside it; it does not go with --target or --nats");
            return ExitCodes.UsageError;
        }

        // Errors name the path as the user typed it, or the built-in scenario.
        if (await ScenarioSource.LoadPlanOrReportAsync(scenarioArgument) is not { } plan)
        {
            return ExitCodes.UsageError;
        }

        if (LimitRunner.SearchCount(plan) == 0)
        {
            await Console.Error.WriteLineAsync($"loadbench: no scenario of '{plan.Name}' has a \"search\" block; see scenarios/README.md, \"Limit search\" (or 'loadbench limits limits')");
            return ExitCodes.UsageError;
        }

        var options = new RunOptions
        {
            TargetUrl = targetUrl,
            AllowNonLoopback = where.AllowNonLoopback,
            ControlToken = where.ControlToken,
            TargetProcess = targetUrl is null ? TargetLauncher.ForThisProgram(pinCpus) : null,
        };
        // Over agents every step also waits the coordinator's start lead, so all agents begin at one instant.
        var distributed = where.Nats is { } nats ? new DistributedRunOptions { NatsUrl = nats, Agents = where.Agents, Run = options } : null;
        var worst = LimitRunner.WorstCase(plan, options, OverheadPerStep + (distributed?.StartLead ?? TimeSpan.Zero));
        var carriedBy = where.Nats is null ? "" : $" on {where.Agents} load agent(s)";
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"loadbench limits: {LimitRunner.SearchCount(plan)} searches{carriedBy}; worst case {worst.TotalMinutes:0.#} min (every search at its most steps); Ctrl-C keeps the steps done."));
        var directory = output?.FullName ?? ResultsOutput.DefaultDirectory(plan.Name);

        using var stop = Interruption.Link(cancellationToken);
        ResultsDocument results;
        try
        {
            await using var progress = ProgressDisplay.Create(quiet);
            results = distributed is not null
                ? await AgentLimitRunner.RunAsync(plan, distributed, progress, stop.Token)
                : await LimitRunner.RunAsync(plan, options, pinCpus, progress, stop.Token);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync($"loadbench: {Interruption.Signal ?? "interrupted"} before any step ran; nothing was written.");
            return ExitCodes.Interrupted;
        }
        catch (DistributedRunException e)
        {
            await Console.Error.WriteLineAsync($"loadbench: the search failed: {e.Message}");
            return ExitCodes.RunFailed;
        }
        catch (Exception e) when (e is TargetStartException or HttpRequestException)
        {
            await Console.Error.WriteLineAsync($"loadbench: the search failed: {e.Message}");
            return ExitCodes.RunFailed;
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync($"loadbench: {e.Message}");
            return ExitCodes.UsageError;
        }

        // Written even after Ctrl-C: the steps done are the result so far.
        var files = await ResultsOutput.WriteAsync(results, directory, CancellationToken.None);
        ResultsOutput.PrintSummary(results, files);
        foreach (var limit in results.Limits ?? [])
        {
            Console.WriteLine(Describe(limit));
        }

        if (stop.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync($"loadbench: {Interruption.Signal ?? "interrupted"}: the search was stopped before it finished; the results hold the steps done, marked incomplete.");
            return ExitCodes.Interrupted;
        }

        if (results.Incomplete is { } incomplete || results.Limits is not { Count: > 0 } limits || limits.Any(l => !l.Complete))
        {
            var why = results.Incomplete?.Reason ?? "the search was stopped before it finished";
            await Console.Error.WriteLineAsync($"loadbench: {why}; the results hold the steps done, marked incomplete.");
            // As 'run --nats': a lost agent leaves an incomplete result (4), a failed target a failed one (3).
            return where.Nats is not null && results.Incomplete is not null ? ExitCodes.Incomplete : ExitCodes.RunFailed;
        }

        return limits.All(l => l.Steps.Count > 0) ? ExitCodes.Success : ExitCodes.RunFailed;
    }

    /// <summary>One line per search: the limit, the broken rule, the bottleneck and whose limit it is.</summary>
    internal static string Describe(LimitSearchResult limit)
    {
        var incomplete = limit.Complete ? "" : " [incomplete: stopped]";
        var vary = limit.Vary == "copies" ? "clients" : "events/s";
        return (limit.HighestMet, limit.FirstFailed) switch
        {
            (_, null) => Invariant($"{limit.Scenario}: not reached up to {limit.HighestMet ?? limit.To:0.##} {vary}{incomplete}"),
            (null, { } failed) => Invariant($"{limit.Scenario}: SLO broken already at {failed:0.##} {vary} ({limit.BrokenRule}; {limit.Bottleneck}; {limit.Label}){incomplete}"),
            ({ } met, { } failed) => Invariant($"{limit.Scenario}: {met:0.##} {vary} met the SLO, {failed:0.##} did not ({limit.BrokenRule}; bottleneck {limit.Bottleneck}; {limit.Label}){incomplete}"),
        };
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>Where the search runs: a running target (or one it starts), and load agents on NATS (or this process).</summary>
    private sealed record Where(string? Target, bool AllowNonLoopback, string? ControlToken, string? Nats, int Agents);
}
