using System.Diagnostics;

namespace LoadBench.Cli.Tests.TestSupport;

/// <summary>Runs the real <c>loadbench</c> program (built beside the tests) as a separate process: real exit codes, real output.</summary>
internal static class LoadBenchProcess
{
    public sealed record Outcome(int ExitCode, string StandardOutput, string StandardError);

    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public static Task<Outcome> RunAsync(TimeSpan timeout, params string[] args) => RunInAsync(RepositoryRoot, timeout, args);

    /// <summary>Runs <c>loadbench</c> in <paramref name="workingDirectory"/>: what a user in that folder would see.</summary>
    public static Task<Outcome> RunInAsync(string workingDirectory, TimeSpan timeout, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "loadbench.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["CI"] = "true";
        return RunAsync(start, timeout);
    }

    /// <summary>
    /// Runs any program to its end within <paramref name="timeout"/>; past it the whole process tree is killed and
    /// the test fails with the output so far.
    /// </summary>
    public static async Task<Outcome> RunAsync(ProcessStartInfo start, TimeSpan timeout)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        var commandLine = $"{start.FileName} {string.Join(' ', start.ArgumentList)}";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{commandLine} did not finish within {timeout}. Output so far:\n{await stdout}\n{await stderr}");
        }

        return new Outcome(process.ExitCode, await stdout, await stderr);
    }

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "LoadBench.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("LoadBench.sln not found above the test folder.");
    }
}
