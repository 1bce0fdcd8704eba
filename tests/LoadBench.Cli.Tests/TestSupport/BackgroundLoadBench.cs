using System.Diagnostics;
using System.Text;

namespace LoadBench.Cli.Tests.TestSupport;

/// <summary>
/// A <c>loadbench</c> process that runs beside the test (an agent, a coordinator to kill): output collected, waits
/// bounded, and killed (SIGKILL, the whole tree) when the test is done with it.
/// </summary>
internal sealed class BackgroundLoadBench : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private BackgroundLoadBench(Process process) => _process = process;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public bool HasExited => _process.HasExited;

    public int Id => _process.Id;

    public int ExitCode => _process.ExitCode;

    public static BackgroundLoadBench Start(params string[] args) => Start(new Dictionary<string, string>(), args);

    /// <param name="environment">Variables set for this process only (test-only switches).</param>
    public static BackgroundLoadBench Start(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = LoadBenchProcess.RepositoryRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "loadbench.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["CI"] = "true";
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }
        var process = Process.Start(start)!;
        var background = new BackgroundLoadBench(process);
        process.OutputDataReceived += (_, e) => background.Append(e.Data);
        process.ErrorDataReceived += (_, e) => background.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return background;
    }

    /// <summary>Waits until the output holds <paramref name="text"/>; fails the test with the output after <paramref name="timeout"/>.</summary>
    public async Task WaitForOutputAsync(string text, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!Output.Contains(text, StringComparison.Ordinal))
        {
            if (DateTime.UtcNow > deadline || _process.HasExited)
            {
                Assert.Fail($"'{text}' did not appear within {timeout} (exited: {_process.HasExited}). Output:\n{Output}");
            }

            await Task.Delay(100);
        }
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var limit = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
            Assert.Fail($"did not exit within {timeout}. Output:\n{Output}");
        }

        return _process.ExitCode;
    }

    /// <summary>SIGKILL: the process gets no chance to say goodbye, as when a machine dies.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }
    }

    /// <summary>SIGTERM, as a service manager or a script stops a process (the process itself, not its tree).</summary>
    public void Terminate()
    {
        if (!_process.HasExited)
        {
            _ = SendSignal(_process.Id, 15);
        }
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}
