namespace LoadBench.Engine.Running;

/// <summary>
/// How to start the target as a child process. The engine does not reference the target's code: the caller
/// says how to run it, e.g. <c>new("dotnet", ["path/to/LoadBench.Target.dll"])</c>; the engine appends
/// <c>--urls http://127.0.0.1:{free port}</c>.
/// </summary>
/// <param name="FileName">The program (<c>dotnet</c>, or the target's own executable).</param>
/// <param name="Arguments">Its arguments before <c>--urls</c>.</param>
public sealed record TargetProcessOptions(string FileName, IReadOnlyList<string> Arguments)
{
    /// <summary>How long the target may take until <c>GET /feed/info</c> answers.</summary>
    public TimeSpan ReadyTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a graceful stop (SIGTERM) may take before the process is killed.</summary>
    public TimeSpan StopTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Pins the target to core 0 (<c>taskset -c 0</c>) and this engine process to the other cores, so client
    /// and server do not steal each other's CPU time and the target's CPU figures are its own. Needs Linux,
    /// <c>taskset</c> (util-linux) and at least 2 cores.
    /// </summary>
    public bool PinCpus { get; init; }

    /// <summary>Variables set in the target's environment over the engine's own: the runtime settings of a target
    /// started as this very program (<c>loadbench serve</c>), whose runtimeconfig is the engine's.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>The clock of <see cref="ReadyTimeout"/>, <see cref="StopTimeout"/> and the readiness polls. The
    /// target is a real process that starts in real time, so this stays the system clock outside tests.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
