using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;
using LoadBench.Engine.Scenarios;
using LoadBench.Results;

namespace LoadBench.Engine.Running;

/// <summary>Describes where a run happened, so two results can be judged comparable (or not).</summary>
internal static class RunEnvironmentInfo
{
    public static RunEnvironment Create(
        ScenarioPlan plan, Uri targetUrl, bool targetStartedByEngine, DateTimeOffset startedAt, DateTimeOffset finishedAt)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(targetUrl);
        return new RunEnvironment
        {
            ScenarioName = plan.Name,
            ScenarioHash = plan.Hash,
            StartedAt = startedAt,
            FinishedAt = finishedAt,
            ProcessorCount = Environment.ProcessorCount,
            Os = RuntimeInformation.OSDescription,
            DotnetVersion = RuntimeInformation.FrameworkDescription,
            LoadBenchVersion = LoadBenchVersion(),
            GitCommit = GitCommit(plan.SourcePath is { } source ? Path.GetDirectoryName(Path.GetFullPath(source)) : null),
            TargetUrl = targetUrl.ToString(),
            TargetStartedByEngine = targetStartedByEngine,
        };
    }

    /// <summary>The engine assembly's informational version (what <c>dotnet pack</c> stamps).</summary>
    public static string LoadBenchVersion()
    {
        var assembly = typeof(RunEnvironmentInfo).Assembly;
        return assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? assembly.GetName().Version?.ToString()
            ?? "unknown";
    }

    /// <summary><c>git rev-parse HEAD</c> in <paramref name="directory"/> (or the current one); null when git or a repository is missing.</summary>
    public static string? GitCommit(string? directory)
    {
        try
        {
            var info = new ProcessStartInfo("git")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                WorkingDirectory = directory ?? Environment.CurrentDirectory,
            };
            info.ArgumentList.Add("rev-parse");
            info.ArgumentList.Add("HEAD");
            using var git = Process.Start(info);
            if (git is null)
            {
                return null;
            }

            var output = git.StandardOutput.ReadToEnd().Trim();
            if (!git.WaitForExit(5000))
            {
                git.Kill();
                return null;
            }

            return git.ExitCode == 0 && output.Length == 40 ? output : null;
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException or IOException)
        {
            return null;
        }
    }
}
