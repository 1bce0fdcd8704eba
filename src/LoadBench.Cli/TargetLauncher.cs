using System.Reflection;
using System.Text.Json;
using LoadBench.Engine.Running;

namespace LoadBench.Cli;

/// <summary>
/// How the engine starts the target in its own process: this very program with <c>serve</c>. The engine
/// never references the target's code; it gets a command line. Client and server CPU stay apart.
/// </summary>
/// <remarks>
/// This program's runtimeconfig holds the engine's runtime settings (workstation GC, no tiered compilation: see
/// LoadBench.Cli.csproj), which a <c>serve</c> child would inherit. The target's own settings are in
/// <c>LoadBench.Target.runtimeconfig.json</c> beside this program: they are handed to the child as the runtime's
/// environment variables, which win over a runtimeconfig, so a target the engine starts runs as
/// <c>dotnet LoadBench.Target.dll</c> would.
/// </remarks>
internal static class TargetLauncher
{
    // runtimeconfig property → the environment variable that sets the same, and its value for true / false.
    private static readonly (string Property, string Variable)[] RuntimeSettings =
    [
        ("System.GC.Server", "DOTNET_gcServer"),
        ("System.GC.Concurrent", "DOTNET_gcConcurrent"),
        ("System.Runtime.TieredCompilation", "DOTNET_TieredCompilation"),
        ("System.Runtime.TieredPGO", "DOTNET_TieredPGO"),
    ];

    // What the runtime assumes for a property the target's runtimeconfig does not name.
    private static readonly Dictionary<string, bool> RuntimeDefaults = new(StringComparer.Ordinal)
    {
        ["System.GC.Server"] = false,
        ["System.GC.Concurrent"] = true,
        ["System.Runtime.TieredCompilation"] = true,
        ["System.Runtime.TieredPGO"] = true,
    };

    public static TargetProcessOptions ForThisProgram(bool pinCpus)
    {
        var processPath = Environment.ProcessPath ?? throw new InvalidOperationException("Cannot tell which program is running.");
        var entry = Assembly.GetEntryAssembly()?.Location;
        // Under `dotnet loadbench.dll` (a .NET tool, `dotnet exec`) the process is the dotnet host: pass the dll.
        IReadOnlyList<string> prefix = Path.GetFileNameWithoutExtension(processPath) == "dotnet" && !string.IsNullOrEmpty(entry)
            ? [entry]
            : [];
        // Rate 0: nothing is published until a scenario sets the rate, so no scenario sees another's events.
        return new TargetProcessOptions(processPath, [.. prefix, "serve", "--rate", "0"])
        {
            PinCpus = pinCpus,
            Environment = TargetEnvironment(Path.Combine(AppContext.BaseDirectory, "LoadBench.Target.runtimeconfig.json")),
        };
    }

    /// <summary>The target's runtime settings as environment variables, read from its runtimeconfig (the
    /// runtime's defaults for what it does not name, and for all when the file is missing).</summary>
    internal static Dictionary<string, string> TargetEnvironment(string runtimeConfigPath)
    {
        var properties = new Dictionary<string, bool>(RuntimeDefaults, StringComparer.Ordinal);
        if (File.Exists(runtimeConfigPath))
        {
            using var document = JsonDocument.Parse(File.ReadAllText(runtimeConfigPath));
            if (document.RootElement.TryGetProperty("runtimeOptions", out var options)
                && options.TryGetProperty("configProperties", out var config))
            {
                foreach (var (property, _) in RuntimeSettings)
                {
                    if (config.TryGetProperty(property, out var value) && value.ValueKind is JsonValueKind.True or JsonValueKind.False)
                    {
                        properties[property] = value.GetBoolean();
                    }
                }
            }
        }

        return RuntimeSettings.ToDictionary(s => s.Variable, s => properties[s.Property] ? "1" : "0", StringComparer.Ordinal);
    }
}
