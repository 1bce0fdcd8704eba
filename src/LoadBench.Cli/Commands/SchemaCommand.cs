using System.CommandLine;
using LoadBench.Cli.Scenarios;

namespace LoadBench.Cli.Commands;

/// <summary><c>loadbench schema</c>: prints the scenario files' JSON Schema, for users of the installed tool.</summary>
internal static class SchemaCommand
{
    public static Command Create()
    {
        var command = new Command("schema", """
            Print the JSON Schema of scenario files (scenarios/scenario.schema.json in the repository), so an
            editor can complete and check your own files. Save it and point a file's "$schema" at it.

            Examples:
              loadbench schema > scenario.schema.json
            """);
        command.SetAction(async (_, cancellationToken) =>
        {
            // The file's bytes as they are, not re-serialised: what the repository ships is what users get.
            await using var stdout = Console.OpenStandardOutput();
            await stdout.WriteAsync(BuiltInScenarios.Schema(), cancellationToken);
            await stdout.FlushAsync(cancellationToken);

            return ExitCodes.Success;
        });
        return command;
    }
}
