using System.CommandLine;
using LoadBench.Results;

namespace LoadBench.Cli.Commands;

/// <summary><c>loadbench report RESULTS.json</c>: renders the reports again from a saved run.</summary>
internal static class ReportCommand
{
    public static Command Create()
    {
        var results = new Argument<FileInfo>("RESULTS.json") { Description = "A results.json written by 'loadbench run'." };
        var output = new Option<DirectoryInfo?>("--output", "-o") { Description = "Folder for the reports (default: beside RESULTS.json)." };
        var command = new Command("report", $"""
            Render summary.csv, report.md, report.html and plots/ again from a results.json — after an upgrade,
            or from a results file merged or copied from elsewhere.

            Examples:
              loadbench report results/20261125T131700Z-quick/results.json
              loadbench report results.json --output /tmp/report

            {ExitCodes.HelpText}
            """)
        {
            results, output,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var file = parse.GetValue(results)!;
            var document = await ResultsInput.ReadAsync(file, cancellationToken);
            if (document is null)
            {
                return ExitCodes.UsageError;
            }

            var directory = parse.GetValue(output)?.FullName ?? file.DirectoryName ?? ".";
            var files = Reporting.ReportWriter.WriteAll(document, directory);
            Console.WriteLine($"Report: {files.HtmlReport}");
            return ExitCodes.Success;
        });
        return command;
    }
}
