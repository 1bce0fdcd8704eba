using System.Diagnostics;
using LoadBench.Cli.Tests.TestSupport;
using LoadBench.Reporting;
using LoadBench.Results;

namespace LoadBench.Cli.Tests;

/// <summary>
/// The engine loses nothing: `loadbench run` as a real process, stopped mid-run by SIGINT or by its target dying,
/// still writes every scenario it finished and the stopped one's figures so far, marked incomplete, with reports.
/// The plan: a short SSE scenario that finishes, a long WebSocket one that is stopped 1 s into its measured phase,
/// and one that never starts.
/// </summary>
public sealed class InterruptedRunEndToEndTests : IDisposable
{
    private const string Plan = """
        {
          "name": "stopped",
          "defaults": { "warmUp": "1s", "feed": { "ratePerSecond": 20, "payloadBytes": 128 } },
          "scenarios": [
            { "name": "sse_finished", "transport": "sse", "load": [ { "model": "KeepConstant", "copies": 5, "during": "2s" } ] },
            { "name": "ws_stopped", "transport": "ws", "load": [ { "model": "KeepConstant", "copies": 5, "during": "90s" } ] },
            { "name": "poll_never", "transport": "poll", "load": [ { "model": "KeepConstant", "copies": 5, "during": "2s" } ] }
          ]
        }
        """;

    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(2);
    private readonly string _folder = Directory.CreateTempSubdirectory("loadbench-stop-").FullName;

    [Fact]
    public async Task Run_SigintMidRun_Exits130WithinTenSeconds_WritesFinishedAndStoppedScenariosMarkedIncomplete_IntoAFreshFolder()
    {
        // The output folder already holds a file: it must stay as it is, and the run goes to "<folder>-2".
        var output = Path.Combine(_folder, "out");
        Directory.CreateDirectory(output);
        await File.WriteAllTextAsync(Path.Combine(output, "results.json"), "an earlier run");

        Assert.False(SigIntIgnored(), "SIGINT is ignored in this test process, so the run it starts inherits that and can never "
            + "see a Ctrl-C: a non-interactive shell ignores SIGINT and SIGQUIT for a command it starts with '&' (nohup adds SIGHUP). "
            + "Run the tests in the foreground (or from a process that does not ignore SIGINT).");
        var (outcome, stopToExit) = await RunAndStopAsync(output, process => Signal(process.Id, SigInt));

        Assert.True(outcome.ExitCode == 130, $"exit {outcome.ExitCode}\n{outcome.StandardOutput}\n{outcome.StandardError}");
        Assert.True(stopToExit < TimeSpan.FromSeconds(10), $"exited {stopToExit.TotalSeconds:0.0} s after SIGINT");
        Assert.Equal("an earlier run", await File.ReadAllTextAsync(Path.Combine(output, "results.json")));
        var written = output + "-2";
        var results = await AssertStoppedRunWrittenAsync(written);
        Assert.Contains("interrupted", results.Incomplete!.Reason, StringComparison.Ordinal);
        Assert.Contains("interrupted", results.Scenarios[1].Incomplete!.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_TargetKilledMidRun_Exits3_WritesFinishedScenarios_AndTheStoppedOneMarkedIncomplete_NamingTheFailure()
    {
        var output = Path.Combine(_folder, "killed");

        // The target is the engine's child process (`loadbench serve`): kill it as a crash would.
        var (outcome, _) = await RunAndStopAsync(output, process => Signal(TargetOf(process.Id), SigKill));

        Assert.True(outcome.ExitCode == 3, $"exit {outcome.ExitCode}\n{outcome.StandardOutput}\n{outcome.StandardError}");
        var results = await AssertStoppedRunWrittenAsync(output);
        Assert.Contains("the target process", results.Incomplete!.Reason, StringComparison.Ordinal);
        Assert.Contains("exited with code", results.Incomplete.Reason, StringComparison.Ordinal);
        Assert.Contains("the target process", outcome.StandardError, StringComparison.Ordinal);
    }

    /// <summary>Everything a stopped run must leave: results.json whole and marked, the reports, no temporary file.</summary>
    private static async Task<ResultsDocument> AssertStoppedRunWrittenAsync(string folder)
    {
        var results = await ResultsFile.ReadAsync(Path.Combine(folder, "results.json"), CancellationToken.None);
        Assert.NotNull(results.Incomplete);
        Assert.Contains("ws_stopped", results.Incomplete.Reason, StringComparison.Ordinal);
        Assert.Contains("not started: poll_never", results.Incomplete.Reason, StringComparison.Ordinal);
        Assert.Equal(["sse_finished", "ws_stopped"], results.Scenarios.Select(s => s.Name));

        var finished = results.Scenarios[0];
        Assert.Null(finished.Incomplete);
        Assert.True(finished.Throughput.EventsDelivered > 0);
        Assert.Equal(0, finished.Integrity.Lost);

        // The stopped one keeps what it measured before the stop: well short of its 90 s, with events in it.
        var stopped = results.Scenarios[1];
        Assert.NotNull(stopped.Incomplete);
        Assert.True(stopped.DurationSeconds is > 0 and < 90, $"measured {stopped.DurationSeconds} s");
        Assert.True(stopped.Throughput.EventsDelivered > 0, "events delivered before the stop");
        Assert.InRange(stopped.Latency.Event.Count, 1, stopped.Throughput.EventsDelivered);

        foreach (var file in new[] { ReportWriter.HtmlFileName, ReportWriter.MarkdownFileName, ReportWriter.SummaryCsvFileName })
        {
            Assert.True(File.Exists(Path.Combine(folder, file)), file);
        }

        var html = await File.ReadAllTextAsync(Path.Combine(folder, ReportWriter.HtmlFileName));
        Assert.Contains("Incomplete run", html, StringComparison.Ordinal);
        Assert.Contains("ws_stopped (incomplete)", html, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFiles(folder, "*" + AtomicFile.TemporarySuffix, SearchOption.AllDirectories));
        return results;
    }

    /// <summary>Starts the run, waits until the long scenario has measured for a second, stops it with
    /// <paramref name="stop"/>, and returns the outcome and the time from the stop to the exit.</summary>
    private async Task<(LoadBenchProcess.Outcome Outcome, TimeSpan StopToExit)> RunAndStopAsync(string output, Action<Process> stop)
    {
        var plan = Path.Combine(_folder, "stopped.json");
        await File.WriteAllTextAsync(plan, Plan);
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = _folder, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "loadbench.dll"), "run", plan, "--output", output })
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["CI"] = "true";
        using var process = Process.Start(start)!;
        using var limit = new CancellationTokenSource(Limit);
        var measuring = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var stdout = new System.Text.StringBuilder();
        var reading = Task.Run(async () =>
        {
            while (await process.StandardOutput.ReadLineAsync(limit.Token) is { } line)
            {
                lock (stdout)
                {
                    stdout.AppendLine(line);
                }

                if (line.Contains("ws_stopped: measuring", StringComparison.Ordinal))
                {
                    measuring.TrySetResult();
                }
            }
        });
        var stderr = process.StandardError.ReadToEndAsync(limit.Token);
        try
        {
            await measuring.Task.WaitAsync(limit.Token);
            await Task.Delay(TimeSpan.FromSeconds(1), limit.Token);
            stop(process);
            var stopped = Stopwatch.StartNew();
            await process.WaitForExitAsync(limit.Token);
            var stopToExit = stopped.Elapsed;
            await reading;
            return (new LoadBenchProcess.Outcome(process.ExitCode, stdout.ToString(), await stderr), stopToExit);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"loadbench run did not reach or end its stop within {Limit}. Output so far:\n{stdout}");
            throw;
        }
    }

    /// <summary>The target the engine started: its one child process (Linux lists a process's children per thread,
    /// in /proc/PID/task/TID/children, under the thread that started each).</summary>
    private static int TargetOf(int engine)
    {
        var children = Directory.EnumerateDirectories($"/proc/{engine}/task")
            .SelectMany(task => File.ReadAllText(Path.Combine(task, "children")).Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .ToList();
        return int.Parse(Assert.Single(children), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Whether this process ignores SIGINT (bit 1 of /proc/self/status's SigIgn mask), which every process it
    /// starts inherits: .NET then keeps it ignored, as POSIX asks, and no registration sees it.</summary>
    private static bool SigIntIgnored()
    {
        var line = File.ReadLines("/proc/self/status").Single(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        var mask = ulong.Parse(line["SigIgn:".Length..].Trim(), System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);
        return (mask & (1UL << (SigInt - 1))) != 0;
    }

    private const int SigInt = 2;
    private const int SigKill = 9;

    private static void Signal(int pid, int signal) => Assert.Equal(0, Kill(pid, signal));

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    public void Dispose()
    {
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
