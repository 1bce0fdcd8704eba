using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using LoadBench.Cli.Progress;
using LoadBench.Cli.Scenarios;
using LoadBench.Engine.Running;
using LoadBench.Engine.Scenarios;
using LoadBench.Gate.Baselines;
using LoadBench.Gate.Output;
using LoadBench.Gate.Thresholds;
using LoadBench.Gate.Verdicts;
using LoadBench.Results;
using LoadBench.Statistics;

namespace LoadBench.Cli.Commands;

/// <summary>
/// <c>loadbench gate SCENARIO --baseline BASELINE.json</c>: runs the scenario file (or a built-in one) several times and
/// judges the trials against the file's thresholds and the baseline (method: docs/gate.md).
/// </summary>
internal static class GateCommand
{
    public const int DefaultRepeat = 3;

    /// <summary>What a gate writes into its folder (trial-1 is always the first).</summary>
    private static readonly IReadOnlyList<string> GateFiles = ["trial-1", "gate.md", "junit.xml"];
    private const int MaxRepeat = MannWhitneyU.MaxSampleSize;

    public static Command Create()
    {
        var scenario = new Argument<string>("SCENARIO") { Description = ScenarioArgument.Description + " It needs 'thresholds' (see docs/gate.md)." };
        var baseline = new Option<FileInfo?>("--baseline", "-b") { Description = "The baseline to compare with (made by 'loadbench baseline save' or --save-baseline). Needed by relative thresholds." };
        var repeat = new Option<int>("--repeat", "-n")
        {
            Description = $"How many times to run the scenario file (trials). Default {DefaultRepeat}; a regression can only be significant with enough trials on both sides (docs/gate.md).",
            DefaultValueFactory = _ => DefaultRepeat,
        };
        var alpha = new Option<double>("--alpha")
        {
            Description = $"Significance level of the regression test (one-sided Mann–Whitney U). Default {GateEvaluator.DefaultAlpha}.",
            DefaultValueFactory = _ => GateEvaluator.DefaultAlpha,
        };
        var output = new Option<DirectoryInfo?>("--output", "-o") { Description = "Folder for each trial's results.json, gate.md and junit.xml (default: results/<UTC time>-gate-<scenario>/)." };
        var junit = new Option<FileInfo?>("--junit") { Description = "Also write the verdicts as JUnit XML here (one test case per threshold, metric and transport)." };
        var markdown = new Option<FileInfo?>("--markdown") { Description = "Also write the verdicts as Markdown here (e.g. $GITHUB_STEP_SUMMARY)." };
        var saveBaseline = new Option<FileInfo?>("--save-baseline") { Description = "Also save this run's trials as a baseline file (e.g. results/baselines/gate.json)." };
        var target = new Option<string?>("--target") { Description = "Use a running target at this URL instead of starting one per trial (loopback only)." };
        var allowRemote = new Option<bool>("--allow-non-loopback") { Description = "Allow a --target that is not 127.0.0.0/8, ::1 or localhost. Only for targets you own." };
        var quiet = new Option<bool>("--quiet") { Description = "No progress display; only the verdicts." };
        var token = ControlTokenOption.ForEngine();
        var command = new Command("gate", $"""
            CI regression gate: run a scenario file (or a built-in scenario by name) N times and judge the trials
            against the thresholds in the file. Absolute thresholds ('latency/p99 <= 50ms', 'integrity/lost == 0')
            are checked on all trials taken together. Relative thresholds ('latency/p99 +15%') compare with the
            baseline's trials: a regression fails only when the median change is beyond the limit AND a one-sided
            Mann-Whitney U test on the per-trial values says it is not noise (p <= alpha). Writes a table to the
            console, and Markdown and JUnit XML for CI.

            Examples:
              loadbench gate scenarios/gate.json --baseline results/baselines/gate.json --repeat 5 --junit gate.xml
              loadbench gate gate --repeat 5 --save-baseline baselines/gate.json
              loadbench gate scenarios/gate.json --repeat 5 --save-baseline results/baselines/gate.json
              loadbench gate scenarios/gate.json -b results/baselines/gate.json --markdown "$GITHUB_STEP_SUMMARY"

            {ExitCodes.HelpText}
            """)
        {
            scenario, baseline, repeat, alpha, output, junit, markdown, saveBaseline, target, allowRemote, token, quiet,
        };
        command.SetAction((parse, cancellationToken) => RunAsync(
            new GateArguments(parse.GetValue(scenario)!, parse.GetValue(baseline), parse.GetValue(repeat), parse.GetValue(alpha),
                parse.GetValue(output), parse.GetValue(junit), parse.GetValue(markdown), parse.GetValue(saveBaseline),
                parse.GetValue(target), parse.GetValue(allowRemote), parse.GetValue(quiet)) { ControlToken = parse.GetValue(token) },
            cancellationToken));
        return command;
    }

    private sealed record GateArguments(
        string Scenario, FileInfo? Baseline, int Repeat, double Alpha, DirectoryInfo? Output, FileInfo? JUnit, FileInfo? Markdown,
        FileInfo? SaveBaseline, string? Target, bool AllowRemote, bool Quiet)
    {
        public string? ControlToken { get; init; }
    }

    private static async Task<int> RunAsync(GateArguments args, CancellationToken cancellationToken)
    {
        if (args.Repeat is < 1 or > MaxRepeat)
        {
            return await UsageAsync($"--repeat must be between 1 and {MaxRepeat}, got {args.Repeat}");
        }

        if (args.Alpha is <= 0 or >= 1)
        {
            return await UsageAsync($"--alpha must be between 0 and 1 (exclusive), got {args.Alpha.ToString(CultureInfo.InvariantCulture)}");
        }

        Uri? target = null;
        if (args.Target is not null && !Uri.TryCreate(args.Target, UriKind.Absolute, out target))
        {
            return await UsageAsync($"--target '{args.Target}' is not an absolute URL like http://127.0.0.1:5080");
        }

        // Everything that can be wrong with the inputs is found before the first trial runs.
        if (ScenarioSource.Resolve(args.Scenario) is not { } source)
        {
            return await UsageAsync(ScenarioSource.NotFound(args.Scenario));
        }

        ScenarioPlan plan;
        IReadOnlyList<Threshold> thresholds;
        var planned = new List<PlannedScenario>();
        try
        {
            plan = source.LoadPlan();
            EngineProcess.PreferOneSocketThreadForSparseStreaming(plan); // before the first socket
            planned.AddRange(plan.Scenarios.Select(s => new PlannedScenario(
                s.Name, s.Transport, s.DescribeLoad(), s.Feed.RatePerSecond, s.Feed.PayloadBytes, s.WarmUp.TotalSeconds) { Setup = s.Setup.ToResult() }));
            thresholds = source.LoadThresholds(planned);
        }
        catch (Exception e) when (e is ScenarioFileException or ThresholdFileException)
        {
            await Console.Error.WriteLineAsync(e.Message);
            return ExitCodes.UsageError;
        }

        BaselineDocument? baseline = null;
        if (args.Baseline is { } baselineFile)
        {
            try
            {
                baseline = await BaselineFile.ReadAsync(baselineFile.ToString(), cancellationToken);
            }
            catch (BaselineFormatException e)
            {
                return await UsageAsync(e.Message);
            }

            var compatibility = BaselineCompatibility.Check(baseline, baselineFile.ToString(), planned, plan.Hash);
            if (compatibility.Problems.Count > 0)
            {
                return await UsageAsync(string.Join(Environment.NewLine + "loadbench: ", compatibility.Problems));
            }

            foreach (var note in compatibility.Notes)
            {
                Console.WriteLine($"note: {note}");
            }
        }
        else if (thresholds.OfType<RelativeThreshold>().Any() && args.SaveBaseline is null)
        {
            return await UsageAsync(
                $"{source.DisplayName}: has relative thresholds ({thresholds.OfType<RelativeThreshold>().First().Text}) but no --baseline was given; " +
                "make one with --save-baseline or 'loadbench baseline save'");
        }

        if (baseline is not null && thresholds.OfType<RelativeThreshold>().Any()
            && GateEvaluator.SignificanceWarning(args.Repeat, baseline.Trials.Count, args.Alpha) is { } warning)
        {
            Console.WriteLine($"warning: {warning}");
        }

        // A fresh folder (DIR-2, … when DIR holds an earlier gate's files): its trials are never overwritten.
        var directory = ResultsOutput.FreshDirectory(args.Output?.FullName ?? ResultsOutput.DefaultDirectory("gate-" + plan.Name), GateFiles);
        var options = new RunOptions
        {
            TargetUrl = target,
            AllowNonLoopback = args.AllowRemote,
            ControlToken = args.ControlToken,
            TargetProcess = target is null ? TargetLauncher.ForThisProgram(pinCpus: false) : null,
        };

        using var stop = Interruption.Link(cancellationToken);
        var startedAt = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        var trials = new List<ResultsDocument>();
        var trialFiles = new List<string>();
        for (var i = 1; i <= args.Repeat; i++)
        {
            Console.WriteLine($"trial {i} of {args.Repeat}: {plan.Name} ({plan.Scenarios.Count} scenario(s))");
            ResultsDocument results;
            try
            {
                await using var progress = ProgressDisplay.Create(args.Quiet);
                results = await ScenarioRunner.RunAsync(plan, options, progress, stop.Token);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                await Console.Error.WriteLineAsync($"loadbench: {Interruption.Signal ?? "interrupted"} before trial {i} measured anything; no verdict. Trials so far: {directory}");
                return ExitCodes.Interrupted;
            }
            catch (Exception e) when (e is TargetStartException or HttpRequestException)
            {
                await Console.Error.WriteLineAsync($"loadbench: trial {i} failed: {e.Message}");
                return ExitCodes.RunFailed;
            }
            catch (ArgumentException e)
            {
                return await UsageAsync(e.Message);
            }

            var file = Path.Combine(directory, $"trial-{i}", ResultsOutput.ResultsFileName);
            if (results.Incomplete is { } incomplete)
            {
                // A stopped trial is written with its reports, marked incomplete, and judges nothing: no verdict, no baseline.
                var files = await ResultsOutput.WriteAsync(results, Path.GetDirectoryName(file)!, CancellationToken.None);
                ResultsOutput.PrintSummary(results, files);
                var interrupted = stop.IsCancellationRequested;
                await Console.Error.WriteLineAsync(interrupted
                    ? $"loadbench: {Interruption.Signal ?? "interrupted"}: trial {i} stopped ({incomplete.Reason}); no verdict. Trials so far: {directory}"
                    : $"loadbench: trial {i} failed: {incomplete.Reason}; no verdict. Trials so far: {directory}");
                return interrupted ? ExitCodes.Interrupted : ExitCodes.RunFailed;
            }

            await ResultsFile.WriteAsync(file, results, cancellationToken);
            trials.Add(results);
            trialFiles.Add(file);
            var empty = NoEventsCheck.Failed(results, plan.Scenarios);
            if (empty.Count > 0)
            {
                await Console.Error.WriteLineAsync($"loadbench: trial {i}: no event was delivered in: {string.Join(", ", empty)}. The run failed ({file}).");
                return ExitCodes.RunFailed;
            }
        }

        var report = GateEvaluator.Evaluate(plan.Name, thresholds, trials, baseline, args.Alpha);
        Console.WriteLine();
        Console.Write(ConsoleTable.Render(report));

        var markdownText = MarkdownSummary.Render(report);
        await AtomicFile.WriteAllTextAsync(Path.Combine(directory, "gate.md"), markdownText, cancellationToken);
        await JUnitReport.WriteAsync(Path.Combine(directory, "junit.xml"), report, startedAt, clock.Elapsed, cancellationToken);
        if (args.JUnit is { } junitFile)
        {
            await JUnitReport.WriteAsync(junitFile.FullName, report, startedAt, clock.Elapsed, cancellationToken);
        }

        if (args.Markdown is { } markdownFile)
        {
            // Appended, not overwritten: $GITHUB_STEP_SUMMARY collects every step's Markdown.
            await File.AppendAllTextAsync(markdownFile.FullName, markdownText, cancellationToken);
        }

        if (args.SaveBaseline is { } saveFile)
        {
            var name = Path.GetFileNameWithoutExtension(saveFile.Name);
            var saved = BaselineFile.Create(name, trials.Zip(trialFiles, (d, f) => (d, Path.GetRelativePath(Environment.CurrentDirectory, f))).ToList(), DateTimeOffset.UtcNow);
            await BaselineFile.WriteAsync(saveFile.FullName, saved, cancellationToken);
            Console.WriteLine($"Baseline: {saveFile} ({trials.Count} trial(s))");
        }

        Console.WriteLine($"Trials and reports: {directory}");
        return report.Passed ? ExitCodes.Success : ExitCodes.ThresholdFailed;
    }

    private static async Task<int> UsageAsync(string message)
    {
        await Console.Error.WriteLineAsync($"loadbench: {message}");
        return ExitCodes.UsageError;
    }
}
