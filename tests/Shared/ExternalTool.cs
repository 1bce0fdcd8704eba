using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace LoadBench.Tests.Support;

/// <summary>
/// A Debian tool the tests run as a real process (nats-server, nginx): found on PATH or in /usr/sbin,
/// started with its own configuration in a temp folder (never the system service), and stopped by its own PID.
/// Missing, it fails the test with the command that installs it (tests/run.sh installs both).
/// </summary>
public sealed class ExternalTool : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ExternalTool(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

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

    public static string Find(string name)
    {
        var path = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Append("/usr/sbin").Append("/usr/local/sbin")
            .Select(folder => Path.Combine(folder, name)).FirstOrDefault(File.Exists);
        return path ?? throw new InvalidOperationException(
            $"{name} is not installed: the load-agent and scale-out tests need it. Install it with `apt-get install -y {name}` (tests/run.sh does).");
    }

    public static ExternalTool Start(string name, params string[] arguments)
    {
        var info = new ProcessStartInfo(Find(name)) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        return new ExternalTool(Process.Start(info) ?? throw new InvalidOperationException($"{name} did not start."));
    }

    /// <summary>A loopback port free now (bound and released; the tool binds it a moment later).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Waits (at most 10 s) until the tool accepts TCP connections on <paramref name="port"/>.</summary>
    public async Task WaitForPortAsync(int port)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"{_process.StartInfo.FileName} exited with {_process.ExitCode}: {Output}");
            }

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(20);
            }
        }
    }

    /// <summary>SIGKILL, as when its machine dies; <see cref="DisposeAsync"/> still cleans up.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            // SIGTERM first (nginx and nats-server stop cleanly on it), SIGKILL if it lingers.
            _ = Kill(_process.Id, 15);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await _process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }

        _process.Dispose();
    }

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

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
