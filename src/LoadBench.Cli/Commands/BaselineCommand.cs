using System.CommandLine;
using LoadBench.Gate.Baselines;
using LoadBench.Gate.Verdicts;
using LoadBench.Results;
using LoadBench.Statistics;

namespace LoadBench.Cli.Commands;

/// <summary><c>loadbench baseline save RESULTS.json [RESULTS.json ...]</c>: makes a baseline for the gate.</summary>
internal static class BaselineCommand
{
    public static Command Create()
    {
        var results = new Argument<FileInfo[]>("RESULTS.json")
        {
            Description = "results.json files of the same scenario file, one per trial.",
            Arity = ArgumentArity.OneOrMore,
        };
        var name = new Option<string?>("--name") { Description = "The baseline's name (default: the scenario file's name)." };
        var output = new Option<FileInfo?>("--output", "-o") { Description = "Where to write it (default: results/baselines/<name>.json)." };
        var save = new Command("save", $"""
            Save a baseline for 'loadbench gate': the given results, each one trial of the same scenario file.
            Relative thresholds compare per-trial values, so give several runs: with 5 baseline trials and
            --repeat 5 the smallest possible p-value is 0.004; with 3 and 3 it is 0.05.

            Examples:
              loadbench baseline save results/run1/results.json results/run2/results.json results/run3/results.json
              loadbench baseline save results/*-gate-gate/trial-*/results.json --name gate

            {ExitCodes.HelpText}
            """)
        {
            results, name, output,
        };
        save.SetAction((parse, cancellationToken) => SaveAsync(parse.GetValue(results)!, parse.GetValue(name), parse.GetValue(output), cancellationToken));
        return new Command("baseline", "Manage baselines for 'loadbench gate' (stored under results/baselines/).") { save };
    }

    private static async Task<int> SaveAsync(FileInfo[] files, string? name, FileInfo? output, CancellationToken cancellationToken)
    {
        var trials = new List<(ResultsDocument, string)>();
        foreach (var file in files)
        {
            if (await ResultsInput.ReadAsync(file, cancellationToken) is not { } document)
            {
                return ExitCodes.UsageError;
            }

            trials.Add((document, file.ToString()));
        }

        BaselineDocument baseline;
        var baselineName = name ?? trials[0].Item1.Environment.ScenarioName;
        try
        {
            baseline = BaselineFile.Create(baselineName, trials, DateTimeOffset.UtcNow);
        }
        catch (BaselineFormatException e)
        {
            await Console.Error.WriteLineAsync($"loadbench: {e.Message}");
            return ExitCodes.UsageError;
        }

        var path = output?.ToString() ?? BaselineFile.DefaultPath(baselineName);
        await BaselineFile.WriteAsync(path, baseline, cancellationToken);
        Console.WriteLine($"Baseline '{baselineName}': {path} ({trials.Count} trial(s) of {baseline.ScenarioName})");
        var needed = MannWhitneyU.RepeatsNeeded(trials.Count, GateEvaluator.DefaultAlpha);
        Console.WriteLine(needed is { } m
            ? $"With it, a regression can be significant at alpha {GateEvaluator.DefaultAlpha} from 'loadbench gate --repeat {m}' up (more trials on either side catch smaller regressions)."
            : $"With {trials.Count} trial(s), no regression can ever be significant at alpha {GateEvaluator.DefaultAlpha}: save more trials.");
        return ExitCodes.Success;
    }
}
