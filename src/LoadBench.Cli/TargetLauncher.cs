using System.Reflection;
using LoadBench.Engine.Running;

namespace LoadBench.Cli;

/// <summary>
/// How the engine starts the target in its own process: this very program with <c>serve</c>. The engine
/// never references the target's code; it gets a command line. Client and server CPU stay apart.
/// </summary>
internal static class TargetLauncher
{
    public static TargetProcessOptions ForThisProgram(bool pinCpus)
    {
        var processPath = Environment.ProcessPath ?? throw new InvalidOperationException("Cannot tell which program is running.");
        var entry = Assembly.GetEntryAssembly()?.Location;
        // Under `dotnet loadbench.dll` (a .NET tool, `dotnet exec`) the process is the dotnet host: pass the dll.
        IReadOnlyList<string> prefix = Path.GetFileNameWithoutExtension(processPath) == "dotnet" && !string.IsNullOrEmpty(entry)
            ? [entry]
            : [];
        // Rate 0: nothing is published until a scenario sets the rate, so no scenario sees another's events.
        return new TargetProcessOptions(processPath, [.. prefix, "serve", "--rate", "0"]) { PinCpus = pinCpus };
    }
}
