using System.Runtime.InteropServices;

namespace LoadBench.Engine.Running;

internal static class NativeMethods
{
    public const int SigTerm = 15;

    /// <summary>POSIX kill(2): .NET's Process.Kill only sends SIGKILL, and a graceful stop needs SIGTERM
    /// (ASP.NET Core then closes WebSockets with 1001 and ends SSE streams).</summary>
    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static extern int Kill(int pid, int signal);
}
