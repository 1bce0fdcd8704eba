using System.CommandLine;

namespace LoadBench.Cli.Commands;

/// <summary><c>--control-token</c>, one wording for every command that takes it: the target's (serve, demo) and
/// the engine's (run, gate with <c>--target</c>).</summary>
internal static class ControlTokenOption
{
    public static Option<string?> ForTarget() => new("--control-token")
    {
        Description = "Control routes (settings, faults, drop-connections, /stats?gc=true) then need 'Authorization: Bearer TOKEN'. Required to listen beyond loopback. Use a long random one (openssl rand -hex 16).",
    };

    public static Option<string?> ForEngine() => new("--control-token")
    {
        Description = "The --target's control token: sent as 'Authorization: Bearer TOKEN' on the engine's control calls.",
    };

    /// <summary>The target's command-line arguments for the token, none without one.</summary>
    public static string[] TargetArgs(string? token) => token is null ? [] : ["--control-token", token];
}
