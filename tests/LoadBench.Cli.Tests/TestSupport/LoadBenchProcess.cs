using System.Diagnostics;

namespace LoadBench.Cli.Tests.TestSupport;

/// <summary>Runs the real <c>loadbench</c> program (built beside the tests) as a separate process: real exit codes, real output.</summary>
internal static class LoadBenchProcess
{
    public sealed record Outcome(int ExitCode, string StandardOutput, string StandardError);

    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public static async Task<Outcome> RunAsync(TimeSpan timeout, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = RepositoryRoot,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "loadbench.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["CI"] = "true";
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
            Assert.Fail($"loadbench {string.Join(' ', args)} did not finish within {timeout}. Output so far:\n{await stdout}\n{await stderr}");
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
