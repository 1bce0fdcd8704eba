using System.CommandLine;
using LoadBench.Cli.Scenarios;

namespace LoadBench.Cli.Commands;

/// <summary><c>loadbench scenarios</c>: lists the scenarios built into the tool, with what each is for.</summary>
internal static class ScenariosCommand
{
    public static Command Create()
    {
        var command = new Command("scenarios", """
            List the built-in scenarios with their descriptions, and what each needs beside the target. They ship
            inside the tool: 'loadbench run quick' works from any folder. A file of the same name in the current
            folder wins, and 'loadbench run path/to/file.json' runs your own.

            Examples:
              loadbench scenarios
              loadbench run compare-transports
            """);
        command.SetAction(_ =>
        {
            Console.Write(ScenarioListing.Render(BuiltInScenarios.All));
            return ExitCodes.Success;
        });
        return command;
    }
}
