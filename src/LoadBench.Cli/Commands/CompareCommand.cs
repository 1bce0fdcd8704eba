using System.CommandLine;
using LoadBench.Reporting.Comparison;

namespace LoadBench.Cli.Commands;

/// <summary><c>loadbench compare A.json B.json</c>: two runs side by side, with deltas.</summary>
internal static class CompareCommand
{
    public static Command Create()
    {
        var baseline = new Argument<FileInfo>("A.json") { Description = "The results to compare against (before)." };
        var candidate = new Argument<FileInfo>("B.json") { Description = "The results to compare (after)." };
        var markdown = new Option<FileInfo?>("--markdown") { Description = "Also write the comparison as Markdown to this file." };
        var command = new Command("compare", $"""
            Put two results side by side, scenario by scenario and transport by transport, with absolute and
            percentage deltas. It only describes; to fail a pipeline on a regression use 'loadbench gate'.
            A.json must be a complete run (an incomplete one, stopped by Ctrl-C or a failed target, is refused).

            Examples:
              loadbench compare results/before/results.json results/after/results.json
              loadbench compare a.json b.json --markdown comparison.md

            {ExitCodes.HelpText}
            """)
        {
            baseline, candidate, markdown,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var a = await ResultsInput.ReadAsync(parse.GetValue(baseline)!, cancellationToken);
            var b = await ResultsInput.ReadAsync(parse.GetValue(candidate)!, cancellationToken);
            if (a is null || b is null)
            {
                return ExitCodes.UsageError;
            }

            // A run stopped early measured less than its plan: as the "before" side every delta would mislead.
            if (a.Incomplete is { } incomplete)
            {
                await Console.Error.WriteLineAsync(
                    $"loadbench: {parse.GetValue(baseline)}: marked incomplete ({incomplete.Reason}); an incomplete run cannot be the baseline of a comparison. Compare against a complete run.");
                return ExitCodes.UsageError;
            }

            if (b.Incomplete is { } stopped)
            {
                Console.WriteLine($"note: {parse.GetValue(candidate)} is marked incomplete ({stopped.Reason}); its figures cover only what ran.");
            }

            var report = ComparisonReport.Create(a, b, parse.GetValue(baseline)!.ToString(), parse.GetValue(candidate)!.ToString());
            Console.WriteLine(report.ToText());
            if (parse.GetValue(markdown) is { } file)
            {
                await File.WriteAllTextAsync(file.FullName, report.ToMarkdown(), cancellationToken);
            }

            return ExitCodes.Success;
        });
        return command;
    }
}
