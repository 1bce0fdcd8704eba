using LoadBench.Engine.Running;
using LoadBench.Engine.Scenarios;

namespace LoadBench.Engine.Proxy;

/// <summary>
/// How one scenario's clients reach the target (<see cref="ConnectionSetup.Via"/>): directly; through an nginx the
/// engine starts for the scenario with a configuration from <c>deploy/nginx/</c> and stops after it; or through a
/// proxy someone else runs, at a URL. One nginx per scenario, never shared: its CPU and memory then belong to that
/// scenario alone, its memory before the clients is a clean base, and nginx starts in milliseconds. The scenario's
/// <c>tls</c> and <c>http</c> are nginx's client leg (<see cref="NginxClientLeg"/>); the target is reached over HTTP/1.x.
/// </summary>
internal sealed class ViaRoute : IAsyncDisposable
{
    private ViaRoute(ITargetApi target, NginxProxy? nginx, bool proxied)
    {
        Target = target;
        Nginx = nginx;
        Proxied = proxied;
    }

    /// <summary>What the scenario runs against: clients to the proxy, control calls to the target.</summary>
    public ITargetApi Target { get; }

    /// <summary>The nginx the engine started (null: direct, or a proxy at a URL).</summary>
    public NginxProxy? Nginx { get; }

    /// <summary>The clients' bytes are the client ↔ proxy leg, the target's counters the other.</summary>
    public bool Proxied { get; }

    /// <summary>Where the clients connect for a TLS or HTTP/2 setup, and the certificate they trust: the engine's
    /// nginx (null: direct or a URL, where the run's endpoints apply).</summary>
    public ClientEndpoints? Endpoints => Nginx?.Endpoints;

    public static async Task<ViaRoute> OpenAsync(ConnectionSetup setup, ITargetApi target, RunOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(setup);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(options);
        var via = setup.Via;
        if (via == ConnectionSetup.DirectVia)
        {
            return new ViaRoute(target, nginx: null, proxied: false);
        }

        if (options.ControlUrl is not null)
        {
            throw new ArgumentException(
                $"via \"{via}\" needs the target itself as --target: with --control-url the target is already behind a proxy.", nameof(options));
        }

        if (NginxConfigurations.Exists(via))
        {
            var nginx = await NginxProxy.StartAsync(via, NginxClientLeg.Of(setup), target.BaseUri, options.TimeProvider, cancellationToken);
            return new ViaRoute(new ViaTargetApi(target, nginx.BaseUri, nginx), nginx, proxied: true);
        }

        var proxy = TargetAddress.Check(via, options.AllowNonLoopback);
        return new ViaRoute(new ViaTargetApi(target, proxy, nginx: null), nginx: null, proxied: true);
    }

    public async ValueTask DisposeAsync()
    {
        if (Nginx is not null)
        {
            await Nginx.DisposeAsync();
        }
    }
}
