using System.Diagnostics;
using System.Reflection;
using LoadBench.Cli.Tests.TestSupport;
using LoadBench.Contracts;
using LoadBench.Reporting;
using LoadBench.Results;
using Xunit.Abstractions;

namespace LoadBench.Cli.Tests;

/// <summary>
/// What a user gets: <c>dotnet pack</c> the CLI, <c>dotnet tool install</c> it into a folder of its own, and run
/// <c>loadbench run quick</c> from an empty folder with no repository in sight, to a full report in
/// <c>./results/</c>. One run of quick (about 26 s); the pack reuses the build the tests run on.
/// </summary>
public sealed class InstalledToolEndToEndTests(ITestOutputHelper output) : IDisposable
{
    private const string PackageId = "LoadBench";
    private static readonly TimeSpan PackTimeout = TimeSpan.FromMinutes(4);
    private static readonly TimeSpan InstallTimeout = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(3);

    private readonly string _root = Directory.CreateTempSubdirectory("loadbench-tool-").FullName;

    [Fact]
    public async Task InstalledTool_RunQuick_FromAnEmptyFolder_WritesAFullReportIntoResults()
    {
        var feed = Path.Combine(_root, "feed");
        var tools = Path.Combine(_root, "tools");
        var empty = Directory.CreateDirectory(Path.Combine(_root, "empty")).FullName;

        var version = await PackAsync(feed);
        await InstallAsync(feed, tools, version);
        var loadbench = Path.Combine(tools, OperatingSystem.IsWindows() ? "loadbench.exe" : "loadbench");
        Assert.True(File.Exists(loadbench), $"no {loadbench} after the install");

        var run = await TimedAsync("run quick", () => LoadBenchProcess.RunAsync(Start(loadbench, empty, "run", "quick"), RunTimeout));

        Assert.True(run.ExitCode == 0, $"loadbench run quick: exit {run.ExitCode}\n{run.StandardOutput}\n{run.StandardError}");
        // Results land in ./results/ of the current folder, and nothing else is written there.
        Assert.Equal([Path.Combine(empty, "results")], Directory.GetFileSystemEntries(empty));
        var runFolder = Assert.Single(Directory.GetDirectories(Path.Combine(empty, "results")));
        Assert.EndsWith("-quick", runFolder, StringComparison.Ordinal);
        foreach (var file in new[] { ReportWriter.HtmlFileName, ReportWriter.MarkdownFileName, "results.json", ReportWriter.SummaryCsvFileName })
        {
            Assert.True(File.Exists(Path.Combine(runFolder, file)), $"{file} missing in {runFolder}\n{run.StandardOutput}");
        }

        var results = await ResultsFile.ReadAsync(Path.Combine(runFolder, "results.json"), CancellationToken.None);
        Assert.Equal("quick", results.Environment.ScenarioName);
        Assert.Equal(TransportIds.All.Order(StringComparer.Ordinal), results.Scenarios.Select(s => s.Transport).Order(StringComparer.Ordinal));
        Assert.All(results.Scenarios, s => Assert.True(s.Throughput.EventsDelivered > 0, $"{s.Name} delivered no event"));
    }

    /// <summary>Packs the CLI from the build the tests run on (same configuration, no rebuild); returns the package version.</summary>
    private async Task<string> PackAsync(string feed)
    {
        var configuration = typeof(ExitCodes).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";
        var project = Path.Combine(LoadBenchProcess.RepositoryRoot, "src", "LoadBench.Cli");
        var built = File.Exists(Path.Combine(project, "bin", configuration, "net10.0", "loadbench.dll"));
        string[] args = ["pack", project, "-c", configuration, "-o", feed, "-nologo", "--disable-build-servers", .. built ? new[] { "--no-build" } : []];
        var pack = await TimedAsync($"pack ({configuration}{(built ? ", no build" : ", with build")})",
            () => LoadBenchProcess.RunAsync(Dotnet(LoadBenchProcess.RepositoryRoot, args), PackTimeout));
        Assert.True(pack.ExitCode == 0, $"dotnet {string.Join(' ', args)}: exit {pack.ExitCode}\n{pack.StandardOutput}\n{pack.StandardError}");

        var package = Path.GetFileName(Assert.Single(Directory.GetFiles(feed, $"{PackageId}.*.nupkg")));
        return package[(PackageId.Length + 1)..^".nupkg".Length];
    }

    /// <summary>
    /// Installs from the packed folder alone: a config that clears every other source, so no other feed (or a
    /// package of the same name there) can answer, and a package cache of its own, so an earlier install of the
    /// same version cannot stand in for this build.
    /// </summary>
    private async Task InstallAsync(string feed, string tools, string version)
    {
        var config = Path.Combine(_root, "nuget.config");
        await File.WriteAllTextAsync(config, $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="packed" value="{feed}" />
              </packageSources>
            </configuration>
            """);
        string[] args = ["tool", "install", PackageId, "--version", version, "--tool-path", tools, "--configfile", config];
        var start = Dotnet(_root, args);
        start.Environment["NUGET_PACKAGES"] = Path.Combine(_root, "packages");
        var install = await TimedAsync("install", () => LoadBenchProcess.RunAsync(start, InstallTimeout));
        Assert.True(install.ExitCode == 0, $"dotnet {string.Join(' ', args)}: exit {install.ExitCode}\n{install.StandardOutput}\n{install.StandardError}");
    }

    private static ProcessStartInfo Dotnet(string workingDirectory, IEnumerable<string> args)
    {
        var start = Start("dotnet", workingDirectory, [.. args]);
        // No MSBuild node may outlive the command: it would hold the output pipes open, and the machine's cores.
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        return start;
    }

    private static ProcessStartInfo Start(string program, string workingDirectory, params string[] args)
    {
        var start = new ProcessStartInfo(program) { WorkingDirectory = workingDirectory };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["CI"] = "true";
        // The installed tool's launcher finds the runtime the tests run on, wherever it is installed.
        if (Environment.GetEnvironmentVariable("DOTNET_ROOT") is null
            && Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host)
        {
            start.Environment["DOTNET_ROOT"] = Path.GetDirectoryName(host);
        }

        return start;
    }

    private async Task<T> TimedAsync<T>(string step, Func<Task<T>> action)
    {
        var clock = Stopwatch.StartNew();
        var result = await action();
        output.WriteLine($"{step}: {clock.Elapsed.TotalSeconds:0.0} s");
        return result;
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
