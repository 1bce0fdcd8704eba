using System.Text.Json;

namespace LoadBench.Cli.Tests;

/// <summary>A target the engine starts gets the target's runtime settings, not the engine's (this program's
/// runtimeconfig holds the engine's), through environment variables read from the target's own runtimeconfig.</summary>
public sealed class TargetLauncherTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("launcher-").FullName;

    [Fact]
    public void ForThisProgram_HandsTheTargetItsOwnRuntimeSettings_AsBuiltBesideThisProgram()
    {
        // The independent truth: the target's runtimeconfig.json the build put beside the program.
        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "LoadBench.Target.runtimeconfig.json")));
        var properties = config.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");

        var environment = TargetLauncher.ForThisProgram(pinCpus: false).Environment;

        Assert.Equal(properties.GetProperty("System.GC.Server").GetBoolean() ? "1" : "0", environment["DOTNET_gcServer"]);
        Assert.Equal(properties.GetProperty("System.GC.Concurrent").GetBoolean() ? "1" : "0", environment["DOTNET_gcConcurrent"]);
        Assert.Equal("1", environment["DOTNET_TieredCompilation"]); // the target's file does not turn it off
    }

    [Fact]
    public void TargetEnvironment_NamesEverySetting_WithTheRuntimesDefaultsForWhatTheFileLeavesOut()
    {
        var path = Path.Combine(_dir, "t.runtimeconfig.json");
        File.WriteAllText(path, """{ "runtimeOptions": { "configProperties": { "System.GC.Server": true, "System.Runtime.TieredPGO": false } } }""");

        var environment = TargetLauncher.TargetEnvironment(path);
        var missing = TargetLauncher.TargetEnvironment(Path.Combine(_dir, "none.json"));

        Assert.Equal(new Dictionary<string, string>
        {
            ["DOTNET_gcServer"] = "1", ["DOTNET_gcConcurrent"] = "1", ["DOTNET_TieredCompilation"] = "1", ["DOTNET_TieredPGO"] = "0",
        }, environment);
        Assert.Equal("0", missing["DOTNET_gcServer"]); // the runtime's default: workstation
        Assert.Equal(4, missing.Count);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
