using System.CommandLine;
using System.Globalization;
using LoadBench.Cli.Progress;
using LoadBench.Cli.Scenarios;
using LoadBench.Engine.Running;
using LoadBench.Engine.Scenarios;
using LoadBench.Reporting;
using LoadBench.Results;

namespace LoadBench.Cli.Commands;

/// <summary><c>loadbench run SCENARIO</c>: runs a scenario file (or a built-in one, by name) and writes results and reports.</summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var scenario = new Argument<string>("SCENARIO") { Description = ScenarioArgument.Description };
        var output = new Option<DirectoryInfo?>("--output", "-o") { Description = "Folder for results and reports (default: results/<UTC time>-<scenario>/)." };
        var target = new Option<string?>("--target") { Description = "Use a running target at this URL instead of starting one (loopback only)." };
        var allowRemote = new Option<bool>("--allow-non-loopback") { Description = "Allow a --target that is not 127.0.0.0/8, ::1 or localhost. Only for targets you own." };
        var pinCpus = new Option<bool>("--pin-cpus") { Description = "Pin the target it starts to core 0 and the engine to the others (Linux, taskset)." };
        var quiet = new Option<bool>("--quiet") { Description = "No progress display; only the result summary." };
        var command = new Command("run", $"""
            Run a scenario file, or a built-in scenario by name ('loadbench scenarios' lists them): start the
            target (unless --target), drive each scenario's transport, and write results.json, summary.csv,
            report.md, report.html and plots/ into the output folder.

            Examples:
              loadbench run quick
              loadbench run compare-transports
              loadbench run scenarios/quick.json --output /tmp/quick
              loadbench run scenarios/fanout.json --target http://127.0.0.1:5080

            {ExitCodes.HelpText}
            """)
        {
            scenario, output, target, allowRemote, pinCpus, quiet,
        };
        command.SetAction((parse, cancellationToken) => RunAsync(
            parse.GetValue(scenario)!, parse.GetValue(output), parse.GetValue(target), parse.GetValue(allowRemote),
            parse.GetValue(pinCpus), parse.GetValue(quiet), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(
        string scenarioArgument, DirectoryInfo? output, string? targetText, bool allowRemote, bool pinCpus, bool quiet, CancellationToken cancellationToken)
    {
        Uri? target = null;
        if (targetText is not null && !Uri.TryCreate(targetText, UriKind.Absolute, out target))
        {
            await Console.Error.WriteLineAsync($"loadbench: --target '{targetText}' is not an absolute URL like http://127.0.0.1:5080");
            return ExitCodes.UsageError;
        }

        if (ScenarioSource.Resolve(scenarioArgument) is not { } source)
        {
            await Console.Error.WriteLineAsync($"loadbench: {ScenarioSource.NotFound(scenarioArgument)}");
            return ExitCodes.UsageError;
        }

        ScenarioPlan plan;
        try
        {
            // Errors name the path as the user typed it, or the built-in scenario.
            plan = source.LoadPlan();
        }
        catch (ScenarioFileException e)
        {
            await Console.Error.WriteLineAsync(e.Message);
            return ExitCodes.UsageError;
        }

        var options = new RunOptions
        {
            TargetUrl = target,
            AllowNonLoopback = allowRemote,
            TargetProcess = target is null ? TargetLauncher.ForThisProgram(pinCpus) : null,
        };
        var directory = output?.FullName ?? DefaultOutputDirectory(plan.Name);

        ResultsDocument results;
        try
        {
            await using var progress = ProgressDisplay.Create(quiet);
            results = await ScenarioRunner.RunAsync(plan, options, progress, cancellationToken);
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

        var files = await ResultsOutput.WriteAsync(results, directory, cancellationToken);
        ResultsOutput.PrintSummary(results, files);
        var empty = results.Scenarios.Where(s => s.Throughput.EventsDelivered == 0).Select(s => s.Name).ToList();
        if (empty.Count > 0)
        {
            await Console.Error.WriteLineAsync($"loadbench: no event was delivered in: {string.Join(", ", empty)}. The run failed.");
            return ExitCodes.RunFailed;
        }

        return ExitCodes.Success;
    }

    private static string DefaultOutputDirectory(string planName) => Path.GetFullPath(Path.Combine(
        "results", DateTime.UtcNow.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture) + "-" + planName));
}
