namespace LoadBench.Cli.Scenarios;

/// <summary>The SCENARIO argument's help, the same for every command that takes one.</summary>
internal static class ScenarioArgument
{
    public const string Description =
        "A scenario file (format: scenarios/README.md; 'loadbench schema' prints its JSON Schema), or the name of a built-in scenario such as 'quick' ('loadbench scenarios' lists them). A file that exists wins over a built-in name.";
}
