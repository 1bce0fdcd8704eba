using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using LoadBench.Contracts;

namespace LoadBench.Engine.Running;

/// <summary>
/// The target, started by the engine as a separate process on a free loopback port (client and server CPU
/// stay apart), ready when <c>GET /feed/info</c> answers, stopped gracefully (SIGTERM) and then killed if it
/// does not exit in time.
/// </summary>
internal sealed class TargetProcess : IAsyncDisposable
{
    private const int TailLines = 40;
    private readonly Process _process;
    private readonly TargetProcessOptions _options;
    private readonly Queue<string> _tail = new();
    private bool _stopped;

    private TargetProcess(Process process, TargetProcessOptions options, Uri baseUri, string commandLine)
    {
        _process = process;
        _options = options;
        BaseUri = baseUri;
        CommandLine = commandLine;
    }

    public Uri BaseUri { get; }

    public string CommandLine { get; }

    public int ProcessId => _process.Id;

    /// <summary>True once the process ended (or was stopped by <see cref="DisposeAsync"/>).</summary>
    public bool HasExited => _stopped || _process.HasExited;

    /// <summary>How the process ended, naming its id and exit code, or null while it runs
    /// (or after <see cref="DisposeAsync"/> stopped it: that end was asked for).</summary>
    public string? ExitDescription
    {
        get
        {
            if (_stopped || !_process.HasExited)
            {
                return null;
            }

            return $"the target process (pid {_process.Id}) exited with code {_process.ExitCode}";
        }
    }

    /// <summary>The last lines the target printed (stdout and stderr), for error messages.</summary>
    public string OutputTail
    {
        get
        {
            lock (_tail)
            {
                return string.Join(Environment.NewLine, _tail);
            }
        }
    }

    /// <summary>Starts the target and waits until it answers. Retries twice on a port taken between our probe and its bind.</summary>
    public static async Task<TargetProcess> StartAsync(TargetProcessOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.PinCpus)
        {
            PinEngineToOtherCores();
        }

        for (var attempt = 1; ; attempt++)
        {
            var target = Launch(options, FreeLoopbackPort(), FreeLoopbackPort(), FreeLoopbackPort());
            try
            {
                await target.WaitUntilReadyAsync(cancellationToken);
                return target;
            }
            catch (TargetStartException) when (attempt < 3 && target.OutputTail.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
            {
                await target.DisposeAsync();
            }
            catch
            {
                await target.DisposeAsync();
                throw;
            }
        }
    }

    /// <summary>Starts the target with one endpoint per protocol: HTTP/1.1 on <paramref name="port"/> (the base
    /// address), cleartext HTTP/2 and HTTPS on the other two (found by the runner on <c>/feed/endpoints</c>), and with
    /// compression on: the target compresses only for a client that asks, and the engine's clients ask only when the
    /// scenario's <c>compression</c> says so — without it a compression scenario would measure uncompressed answers.</summary>
    private static TargetProcess Launch(TargetProcessOptions options, int port, int h2cPort, int httpsPort)
    {
        var baseUri = new Uri($"http://127.0.0.1:{port}/");
        var arguments = options.Arguments.Concat([
            "--urls", $"http://127.0.0.1:{port}",
            "--h2c-url", $"http://127.0.0.1:{h2cPort}",
            "--https-url", $"https://127.0.0.1:{httpsPort}",
            "--compression", "on"]).ToList();
        var fileName = options.FileName;
        if (options.PinCpus)
        {
            arguments.InsertRange(0, ["-c", "0", fileName]);
            fileName = FindTaskset();
        }

        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        // The key log (--tls-key-log) is the clients': the target would write the same secrets from its side.
        info.Environment.Remove("SSLKEYLOGFILE");
        if (EngineProcess.InlineCompletionsSetHere)
        {
            info.Environment.Remove(EngineProcess.InlineCompletionsVariable); // the engine's setting, not the target's
        }

        if (EngineProcess.SocketThreadCountSetHere)
        {
            info.Environment.Remove(EngineProcess.SocketThreadCountVariable);
        }

        foreach (var (name, value) in options.Environment)
        {
            info.Environment[name] = value;
        }

        var commandLine = $"{fileName} {string.Join(' ', arguments)}";
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var target = new TargetProcess(process, options, baseUri, commandLine);
        process.OutputDataReceived += (_, e) => target.Remember(e.Data);
        process.ErrorDataReceived += (_, e) => target.Remember(e.Data);
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            process.Dispose();
            throw new TargetStartException($"Cannot start the target ({commandLine}): {ex.Message}", ex);
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return target;
    }

    private async Task WaitUntilReadyAsync(CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = BaseUri, Timeout = TimeSpan.FromSeconds(2) };
        var time = _options.TimeProvider;
        var start = time.GetTimestamp();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_process.HasExited)
            {
                // Let the output readers catch the last lines before quoting them.
                await _process.WaitForExitAsync(cancellationToken);
                throw new TargetStartException(
                    $"The target exited with code {_process.ExitCode} before it was ready ({CommandLine}). Its last output:{Environment.NewLine}{OutputTail}");
            }

            try
            {
                using var response = await http.GetAsync(FeedRoutes.Info, cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
            }

            if (time.GetElapsedTime(start) > _options.ReadyTimeout)
            {
                throw new TargetStartException(
                    $"The target did not answer GET {FeedRoutes.Info} within {_options.ReadyTimeout.TotalSeconds:0} s ({CommandLine}). Its last output:{Environment.NewLine}{OutputTail}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), time, cancellationToken);
        }
    }

    /// <summary>SIGTERM, wait, then kill: the target gets to close its connections properly. Each wait is bounded
    /// by <see cref="TargetProcessOptions.StopTimeout"/>.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                if (!OperatingSystem.IsWindows())
                {
                    _ = NativeMethods.Kill(_process.Id, NativeMethods.SigTerm);
                }

                if (!await WaitForExitAsync())
                {
                    _process.Kill(entireProcessTree: true);
                    await WaitForExitAsync();
                }
            }
        }
        catch (InvalidOperationException)
        {
            // Never started or already reaped: nothing to stop.
        }
        finally
        {
            _stopped = true;
            _process.Dispose();
        }
    }

    /// <summary>Waits for the exit and the end of the output, at most <see cref="TargetProcessOptions.StopTimeout"/>.
    /// The output can stay open after the exit when a child the target started outlived it and holds the pipes:
    /// its last lines are not worth waiting for.</summary>
    private async Task<bool> WaitForExitAsync()
    {
        using var wait = new CancellationTokenSource(_options.StopTimeout, _options.TimeProvider);
        try
        {
            await _process.WaitForExitAsync(wait.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private void Remember(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_tail)
        {
            _tail.Enqueue(line);
            while (_tail.Count > TailLines)
            {
                _tail.Dequeue();
            }
        }
    }

    /// <summary>A port nobody listens on now. Another process may take it before the target binds; the
    /// start retries then.</summary>
    private static int FreeLoopbackPort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private static string FindTaskset()
    {
        var path = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(dir => Path.Combine(dir, "taskset"))
            .FirstOrDefault(File.Exists);
        return path ?? throw new TargetStartException("CPU pinning needs taskset (Debian package util-linux), which is not on PATH.");
    }

    private static void PinEngineToOtherCores()
    {
        if (!OperatingSystem.IsLinux() || Environment.ProcessorCount < 2)
        {
            throw new TargetStartException($"CPU pinning needs Linux and at least 2 cores; this machine has {Environment.ProcessorCount}.");
        }

        // Core 0 is the target's; the engine takes every other core.
        long mask = 0;
        for (var core = 1; core < Math.Min(Environment.ProcessorCount, 63); core++)
        {
            mask |= 1L << core;
        }

        using var self = Process.GetCurrentProcess();
        self.ProcessorAffinity = (nint)mask;
    }
}
