using LoadBench.Engine.Scenarios;
using LoadBench.Gate.Thresholds;

namespace LoadBench.Cli.Scenarios;

/// <summary>
/// Where a command's SCENARIO argument leads: a file (the path as typed) or a built-in scenario. Errors name it
/// either way, with line and field: <c>scenarios/bad.json:5:3: …</c> or <c>built-in:quick.json:5:3: …</c>.
/// </summary>
internal sealed record ScenarioSource(string DisplayName, BuiltInScenario? BuiltIn)
{
    /// <summary>
    /// A file that exists wins (<c>quick</c> in the current folder, <c>scenarios/quick.json</c>); otherwise
    /// a built-in name (<c>quick</c> or <c>quick.json</c>); otherwise null: neither exists.
    /// </summary>
    public static ScenarioSource? Resolve(string argument)
    {
        ArgumentNullException.ThrowIfNull(argument);
        if (File.Exists(argument))
        {
            return new ScenarioSource(argument, null);
        }

        return BuiltInScenarios.Find(argument) is { } builtIn ? new ScenarioSource(builtIn.DisplayName, builtIn) : null;
    }

    /// <summary>Why <paramref name="argument"/> did not resolve, and what does exist (the caller exits 2).</summary>
    public static string NotFound(string argument) =>
        $"'{argument}' is neither a scenario file nor a built-in scenario. Built-in: {BuiltInScenarios.Names()} ('loadbench scenarios' describes them).";

    /// <summary>
    /// Resolves <paramref name="argument"/> and loads its plan; when either fails, writes why to standard error and
    /// returns null, and the caller exits 2. For the commands that need the plan only (run, limits).
    /// </summary>
    public static async Task<ScenarioPlan?> LoadPlanOrReportAsync(string argument)
    {
        if (Resolve(argument) is not { } source)
        {
            await Console.Error.WriteLineAsync($"loadbench: {NotFound(argument)}");
            return null;
        }

        try
        {
            return source.LoadPlan();
        }
        catch (ScenarioFileException e)
        {
            await Console.Error.WriteLineAsync(e.Message);
            return null;
        }
    }

    /// <exception cref="ScenarioFileException">The scenario file cannot be run; the message names every problem.</exception>
    public ScenarioPlan LoadPlan()
    {
        if (BuiltIn is null)
        {
            return ScenarioFile.Load(DisplayName);
        }

        // No source path: a built-in is no file on disk ("built-in:quick.json" is a name, not a path to resolve).
        return ScenarioFile.Parse(BuiltIn.Bytes, DisplayName) with { SourcePath = null };
    }

    /// <exception cref="ThresholdFileException">The thresholds cannot be judged; the message names every problem.</exception>
    public IReadOnlyList<Threshold> LoadThresholds(IReadOnlyList<PlannedScenario> scenarios) => BuiltIn is null
        ? ThresholdFile.Load(DisplayName, scenarios)
        : ThresholdFile.Parse(BuiltIn.Bytes, DisplayName, scenarios);
}
