using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace LoadBench.Tests.Support;

/// <summary>
/// A real <c>nats-server</c> (Debian's package; tests/run.sh installs it) on a free loopback port, one per test, so
/// tests never see each other's agents. Missing, it fails the test with what to install — never a silent skip.
/// </summary>
public sealed class NatsServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private NatsServer(Process process, int port)
    {
        _process = process;
        Url = $"nats://127.0.0.1:{port}";
        Port = port;
    }

    public string Url { get; }

    public int Port { get; }

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

    /// <summary>Debian installs it in /usr/sbin, which is off a normal user's PATH.</summary>
    public static string? FindExecutable()
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        return path.Split(':', StringSplitOptions.RemoveEmptyEntries).Append("/usr/sbin").Append("/usr/bin")
            .Select(dir => Path.Combine(dir, "nats-server"))
            .FirstOrDefault(File.Exists);
    }

    public static async Task<NatsServer> StartAsync()
    {
        var executable = FindExecutable() ?? throw new InvalidOperationException(
            "nats-server is not installed: the load-agent tests need it (apt-get install nats-server; tests/run.sh installs it).");
        var port = FreePort();
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "-a", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("nats-server did not start");
        var server = new NatsServer(process, port);
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        // Ready when it accepts a connection; bounded.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (true)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, port);
                return server;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline && !process.HasExited)
            {
                await Task.Delay(100);
            }
            catch (SocketException)
            {
                await server.DisposeAsync();
                throw new InvalidOperationException($"nats-server did not accept connections on {port}:\n{server.Output}");
            }
        }
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

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>SIGKILL, as when the NATS machine dies; <see cref="DisposeAsync"/> still cleans up.</summary>
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
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
