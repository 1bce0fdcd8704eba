using System.Diagnostics;
using System.Globalization;
namespace LoadBench.Tests.Support;

/// <summary>
/// The scaled-out target for real: a nats-server with JetStream, a publisher (<c>--publish-to</c>, paused, so
/// tests publish by hand), replicas (<c>--follow</c>) and nginx in front of the replicas with the repository's own
/// configuration (deploy/nginx, rendered by its script). Everything on loopback ports of its own, in a temp
/// folder of its own, stopped at the end. One file, linked into the target's tests (the feed itself) and the CLI's
/// (load agents through the proxy), so both test what ships the same way.
/// </summary>
internal sealed class ScaledOutFeed : IAsyncDisposable
{
    private readonly string _folder;
    private readonly ExternalTool _nats;
    private readonly ExternalTool _nginx;

    private ScaledOutFeed(string folder, ExternalTool nats, Uri natsUrl, RunningTarget publisher, List<RunningTarget> replicas, ExternalTool nginx, Uri proxy)
    {
        _folder = folder;
        _nats = nats;
        NatsUrl = natsUrl;
        Publisher = publisher;
        Replicas = replicas;
        _nginx = nginx;
        Proxy = proxy;
        ProxyHttp = new HttpClient { BaseAddress = proxy };
    }

    public Uri NatsUrl { get; }
    public int NginxPid => _nginx.Pid;
    public RunningTarget Publisher { get; }
    public IReadOnlyList<RunningTarget> Replicas { get; }
    public Uri Proxy { get; }
    public HttpClient ProxyHttp { get; }

    public static async Task<ScaledOutFeed> StartAsync(int replicas = 2)
    {
        var folder = Directory.CreateTempSubdirectory("loadbench-scaleout-").FullName;
        var natsPort = ExternalTool.FreePort();
        var natsConfig = Path.Combine(folder, "nats.conf");
        await File.WriteAllTextAsync(natsConfig, $$"""
            listen: 127.0.0.1:{{natsPort}}
            jetstream { store_dir: "{{Path.Combine(folder, "jetstream")}}" }
            """);
        var nats = ExternalTool.Start("nats-server", "-c", natsConfig);
        await nats.WaitForPortAsync(natsPort);
        var natsUrl = new Uri($"nats://127.0.0.1:{natsPort}");

        var publisher = await RunningTarget.StartAsync("--publish-to", natsUrl.ToString());
        var followers = new List<RunningTarget>();
        for (var i = 0; i < replicas; i++)
        {
            followers.Add(await RunningTarget.StartAsync("--follow", natsUrl.ToString()));
        }

        var proxyPort = ExternalTool.FreePort();
        var prefix = Path.Combine(folder, "nginx");
        Render(proxyPort, prefix, followers);
        var nginx = ExternalTool.Start("nginx", "-e", "stderr", "-p", prefix, "-c", Path.Combine(prefix, "nginx.conf"));
        await nginx.WaitForPortAsync(proxyPort);
        return new ScaledOutFeed(folder, nats, natsUrl, publisher, followers, nginx, new Uri($"http://127.0.0.1:{proxyPort}"));
    }

    /// <summary>Waits until every replica still running holds <paramref name="seq"/>.</summary>
    public async Task ReplicasReachAsync(long seq, IEnumerable<RunningTarget>? replicas = null)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!(replicas ?? Replicas).All(r => r.Log.LatestSeq >= seq))
        {
            Assert.True(DateTime.UtcNow < deadline, $"Timed out waiting for every replica to hold seq {seq}");
            await Task.Delay(10);
        }
    }

    public Uri ProxyWebSocket(string query) => new($"ws://{Proxy.Authority}/feed/ws{query}");

    public async ValueTask DisposeAsync()
    {
        ProxyHttp.Dispose();
        await _nginx.DisposeAsync();
        foreach (var replica in Replicas)
        {
            await replica.DisposeAsync();
        }

        await Publisher.DisposeAsync();
        await _nats.DisposeAsync();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // nginx's workers may still be closing their files: a leftover temp folder is harmless.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    /// <summary>The repository's own script renders the repository's own template: what is tested is what ships.</summary>
    private static void Render(int port, string prefix, IEnumerable<RunningTarget> replicas)
    {
        var script = Path.Combine(RepositoryRoot(), "deploy", "nginx", "render.sh");
        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { script, "--listen", $"127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}", "--prefix", prefix, "--workers", "2" }
                     .Concat(replicas.SelectMany(r => new[] { "--upstream", r.BaseAddress.Authority })))
        {
            info.ArgumentList.Add(argument);
        }

        using var render = Process.Start(info)!;
        var errors = render.StandardError.ReadToEnd();
        render.WaitForExit();
        if (render.ExitCode != 0)
        {
            throw new InvalidOperationException($"render.sh failed: {errors}");
        }
    }

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "LoadBench.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException("Cannot find the repository (LoadBench.sln) above the test binaries.");
    }
}
