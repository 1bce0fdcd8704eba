using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using LoadBench.Engine.Running;

namespace LoadBench.Engine.Proxy;

/// <summary>
/// An nginx the engine starts for a scenario's <c>via</c>: Debian's <c>/usr/sbin/nginx</c> (or the first on PATH)
/// with one of <see cref="NginxConfigurations"/> rendered into a temp folder of its own (prefix, pid file, error
/// log, temp paths), listening on a free loopback port, proxying to the target. Never the system service: it runs
/// in the foreground as the engine's child and is stopped by its own PID. Its cost — the master and every worker,
/// read from <c>/proc</c> — belongs to the server side (<see cref="ReadCost"/>). The client ↔ nginx leg is plain
/// HTTP/1.1, or TLS and/or HTTP/2 as the scenario asks (<see cref="NginxClientLeg"/>): under TLS with a certificate
/// made for this nginx, written into its folder, that the clients trust by fingerprint (<see cref="Endpoints"/>).
/// </summary>
internal sealed class NginxProxy : IAsyncDisposable
{
    /// <summary>How long nginx may take to accept connections: it is ready in milliseconds; a busy machine gets room.</summary>
    private static readonly TimeSpan ReadyLimit = TimeSpan.FromSeconds(15);

    /// <summary>A port found free can be taken by someone else before nginx binds it: a few tries, then give up.</summary>
    private const int PortAttempts = 3;

    private readonly Process _process;
    private readonly string _folder;
    private readonly StringBuilder _output = new();
    private long _peakResident;

    private NginxProxy(Process process, string folder, string configuration, Uri baseUri, NginxClientLeg leg, NginxCertificate? certificate)
    {
        _process = process;
        _folder = folder;
        Configuration = configuration;
        BaseUri = baseUri;
        Leg = leg;
        Certificate = certificate;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Configuration { get; }

    /// <summary>Where the clients connect: <c>http://127.0.0.1:PORT/</c>, <c>https://</c> under TLS.</summary>
    public Uri BaseUri { get; }

    /// <summary>What the client ↔ nginx leg speaks.</summary>
    public NginxClientLeg Leg { get; }

    /// <summary>Under TLS, this nginx's certificate and key files (null: plain).</summary>
    public NginxCertificate? Certificate { get; }

    /// <summary>Under TLS, the SHA-256 of this nginx's certificate: the one the clients trust (null: plain).</summary>
    public string? TlsFingerprint => Certificate?.Fingerprint;

    /// <summary>The clients' endpoint for this nginx's one listen — one protocol per nginx, as each scenario starts
    /// its own — and the certificate they pin under TLS (<see cref="ClientEndpoints.For"/> picks by the setup).</summary>
    public ClientEndpoints Endpoints => new(
        BaseUri,
        Leg is { Tls: false, Http2: true } ? BaseUri : null,
        Leg.Tls ? BaseUri : null,
        TlsFingerprint);

    public int Pid => _process.Id;

    /// <summary>The most resident memory (master + workers) any <see cref="ReadCost"/> saw.</summary>
    public long PeakResidentBytes => Interlocked.Read(ref _peakResident);

    /// <summary>nginx's CPU time so far and resident memory now, master and workers summed.</summary>
    public (double CpuMs, long ResidentBytes) ReadCost()
    {
        var cost = ProcessCost.Read(_process.Id);
        long current;
        while (cost.ResidentBytes > (current = Interlocked.Read(ref _peakResident))
               && Interlocked.CompareExchange(ref _peakResident, cost.ResidentBytes, current) != current)
        {
        }

        return cost;
    }

    /// <summary>nginx's path: PATH first, then the sbin folders Debian installs it in (not on a user's PATH).</summary>
    public static string FindExecutable() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Append("/usr/sbin").Append("/usr/local/sbin")
            .Select(folder => Path.Combine(folder, "nginx")).FirstOrDefault(File.Exists)
        ?? throw new TargetStartException("A scenario runs via nginx, but nginx is not installed: install it with `apt-get install -y nginx` (Debian's nginx 1.22), or set the scenario's via to \"direct\".");

    /// <summary>Starts nginx with <paramref name="configuration"/> in front of <paramref name="upstream"/>, plain
    /// HTTP/1.1 on the client leg, and waits until it accepts connections.</summary>
    public static Task<NginxProxy> StartAsync(string configuration, Uri upstream, TimeProvider time, CancellationToken cancellationToken) =>
        StartAsync(configuration, NginxClientLeg.Plain, upstream, time, cancellationToken);

    /// <summary>Starts nginx with <paramref name="configuration"/> in front of <paramref name="upstream"/>, speaking
    /// <paramref name="leg"/> to the clients, and waits until it accepts connections.</summary>
    public static async Task<NginxProxy> StartAsync(string configuration, NginxClientLeg leg, Uri upstream, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(leg);
        ArgumentNullException.ThrowIfNull(upstream);
        ArgumentNullException.ThrowIfNull(time);
        var executable = FindExecutable();
        for (var attempt = 1; ; attempt++)
        {
            var folder = Directory.CreateTempSubdirectory("loadbench-nginx-").FullName;
            var port = FreeLoopbackPort();
            // A certificate of its own for each start, in the folder deleted with it: nothing outlives the scenario.
            var certificate = leg.Tls ? NginxCertificate.Write(folder, time) : null;
            // Workers as cores, as nginx's own "auto" would; capped at the template's 6 (its descriptor arithmetic).
            var text = NginxConfigurations.Render(configuration, $"127.0.0.1:{port}", folder, [upstream.Authority], Math.Clamp(Environment.ProcessorCount, 1, 6),
                certificate, leg.Http2);
            var conf = Path.Combine(folder, "nginx.conf");
            await File.WriteAllTextAsync(conf, text, cancellationToken);
            // -e: the error log from the very start (before the configuration is read nginx would open Debian's
            // /var/log/nginx/error.log, not writable for a user).
            var info = new ProcessStartInfo(executable) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var argument in (string[])["-p", folder + "/", "-c", conf, "-e", Path.Combine(folder, "error.log")])
            {
                info.ArgumentList.Add(argument);
            }

            var proxy = new NginxProxy(Process.Start(info) ?? throw new TargetStartException($"{executable} did not start."),
                folder, configuration, new Uri($"{(leg.Tls ? Uri.UriSchemeHttps : Uri.UriSchemeHttp)}://127.0.0.1:{port}/"), leg, certificate);
            try
            {
                await proxy.WaitReadyAsync(port, time, cancellationToken);
                proxy.ReadCost();
                return proxy;
            }
            catch (TargetStartException) when (attempt < PortAttempts && proxy.PortWasTaken)
            {
                await proxy.DisposeAsync();
            }
            catch
            {
                await proxy.DisposeAsync();
                throw;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                // SIGTERM: nginx's fast shutdown, the master stops its workers; SIGKILL to the tree if it lingers.
                _ = NativeMethods.Kill(_process.Id, NativeMethods.SigTerm);
                using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                try
                {
                    await _process.WaitForExitAsync(limit.Token);
                }
                catch (OperationCanceledException)
                {
                    _process.Kill(entireProcessTree: true);
                    await _process.WaitForExitAsync(CancellationToken.None);
                }
            }
        }
        finally
        {
            _process.Dispose();
            try
            {
                Directory.Delete(_folder, recursive: true);
            }
            catch (IOException)
            {
                // A temp folder left behind is harmless; the run's outcome matters more.
            }
        }
    }

    private bool PortWasTaken => ErrorLog().Contains("Address already in use", StringComparison.Ordinal);

    private async Task WaitReadyAsync(int port, TimeProvider time, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        while (true)
        {
            if (_process.HasExited)
            {
                throw new TargetStartException($"nginx ({Configuration}) exited with {_process.ExitCode} at start: {ErrorLog()}");
            }

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port, cancellationToken);
                return;
            }
            catch (SocketException) when (time.GetElapsedTime(started) < ReadyLimit)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(20), time, cancellationToken);
            }
            catch (SocketException e)
            {
                throw new TargetStartException($"nginx ({Configuration}) did not accept connections on 127.0.0.1:{port} within {ReadyLimit.TotalSeconds} s: {ErrorLog()}", e);
            }
        }
    }

    private string ErrorLog()
    {
        string log;
        try
        {
            log = File.ReadAllText(Path.Combine(_folder, "error.log"));
        }
        catch (IOException)
        {
            log = "";
        }

        lock (_output)
        {
            return (log + _output).Trim();
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

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
