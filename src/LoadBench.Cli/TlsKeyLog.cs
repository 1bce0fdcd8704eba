namespace LoadBench.Cli;

/// <summary>
/// <c>--tls-key-log FILE</c>: the TLS session secrets of every client connection, in the NSS key log format
/// (<c>SSLKEYLOGFILE</c>), so a packet capture of the run can be decrypted with Wireshark. The .NET runtime writes
/// them itself (OpenSSL's key log callback, Linux) — but only when the environment variable is set and the AppContext
/// switch <c>System.Net.EnableSslKeyLogging</c> is on, and it reads both once, at the first TLS connection of the
/// process: so this runs before anything else of the run.
/// </summary>
internal static class TlsKeyLog
{
    public const string Variable = "SSLKEYLOGFILE";
    public const string Switch = "System.Net.EnableSslKeyLogging";

    /// <summary>Switches the runtime's key log on, to <paramref name="path"/> (appended to, created if missing).</summary>
    public static string Enable(string path)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        AppContext.SetSwitch(Switch, true);
        Environment.SetEnvironmentVariable(Variable, full);
        return full;
    }
}
