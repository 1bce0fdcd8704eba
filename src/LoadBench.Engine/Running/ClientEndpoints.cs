using System.Net.Http.Json;
using LoadBench.Contracts;
using LoadBench.Engine.Scenarios;

namespace LoadBench.Engine.Running;

/// <summary>
/// Where the clients of a setup connect: the target's HTTP/1.1 address for the default setup, its cleartext HTTP/2
/// endpoint for <c>http: "2"</c>, its HTTPS endpoint under <c>tls</c> — with the one certificate fingerprint the
/// clients trust. For a target the engine started, the fingerprint is the one the target published to the engine
/// over loopback; for a running target (<c>--target</c>) it must come from the person (<c>--tls-fingerprint</c>),
/// never from the target's own word.
/// </summary>
internal sealed record ClientEndpoints(Uri Http1, Uri? H2c, Uri? Https, string? TlsFingerprint)
{
    /// <summary>The address and fingerprint for <paramref name="setup"/>.</summary>
    /// <exception cref="ArgumentException">The target serves no endpoint for it, or TLS without a fingerprint (the
    /// runner asks before the first scenario, so the run stops with this message and a usage error).</exception>
    public (Uri BaseUri, string? TlsFingerprint) For(ConnectionSetup setup)
    {
        ArgumentNullException.ThrowIfNull(setup);
        if (setup.Tls)
        {
            var https = Https ?? throw new ArgumentException("A scenario asks for TLS, but the target serves no HTTPS endpoint (start it with --https-url).");
            return TlsFingerprint is null
                ? throw new ArgumentException("A scenario asks for TLS: give the target certificate's SHA-256 with --tls-fingerprint (the target prints it at start).")
                : (https, TlsFingerprint);
        }

        return setup.Http == HttpVersions.Http2
            ? (H2c ?? throw new ArgumentException("A scenario asks for HTTP/2, but the target serves no cleartext HTTP/2 endpoint (start it with --h2c-url)."), null)
            : (Http1, null);
    }

    /// <summary>Whether the clients of <paramref name="setup"/> need one of the target's other endpoints: anything but
    /// plain HTTP/1.1 — unless an nginx the engine starts carries it, which serves TLS and HTTP/2 itself and reaches
    /// the target over HTTP/1.1 (<see cref="Proxy.NginxClientLeg"/>).</summary>
    public static bool NeedsTargetEndpoint(ConnectionSetup setup)
    {
        ArgumentNullException.ThrowIfNull(setup);
        return (setup.Tls || setup.Http != HttpVersions.Http11) && !Proxy.NginxConfigurations.Exists(setup.Via);
    }

    /// <summary>Checks every scenario of <paramref name="plan"/> that needs one has its endpoint (see <see cref="For"/>).</summary>
    public ClientEndpoints CheckAll(ScenarioPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        foreach (var scenario in plan.Scenarios.Where(s => NeedsTargetEndpoint(s.Setup)))
        {
            _ = For(scenario.Setup);
        }

        return this;
    }

    /// <summary>Whether a scenario speaks anything but plain HTTP/1.1 (then the target's other endpoints are needed).</summary>
    public static bool Needed(ScenarioPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        return plan.Scenarios.Any(s => s.Setup.Tls || s.Setup.Http != HttpVersions.Http11);
    }

    /// <summary>The endpoints every scenario of <paramref name="plan"/> needs, checked (<see cref="CheckAll"/>); null
    /// when the plan speaks plain HTTP/1.1 only. One place for the single-process runner and the agents' coordinator,
    /// so both trust the same certificate by the same rule.</summary>
    public static async Task<ClientEndpoints?> ForPlanAsync(
        ScenarioPlan plan, Uri target, string? pinnedFingerprint, bool trustPublished, CancellationToken cancellationToken) =>
        Needed(plan) ? (await FetchAsync(target, pinnedFingerprint, trustPublished, cancellationToken)).CheckAll(plan) : null;

    /// <summary>Asks a target for its endpoints (<c>GET /feed/endpoints</c>); the fingerprint is
    /// <paramref name="pinnedFingerprint"/> when given, else the published one only if <paramref name="trustPublished"/>.</summary>
    public static async Task<ClientEndpoints> FetchAsync(Uri target, string? pinnedFingerprint, bool trustPublished, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        using var http = new HttpClient { BaseAddress = target, Timeout = TimeSpan.FromSeconds(10) };
        TargetEndpoints? published;
        try
        {
            published = await http.GetFromJsonAsync(FeedRoutes.Endpoints, ContractsJson.Default.TargetEndpoints, cancellationToken);
        }
        catch (HttpRequestException e) when (e.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            published = null; // a target that predates the endpoints: HTTP/1.1 only
        }

        return new ClientEndpoints(
            target,
            published?.H2c is { } h2c ? Reachable(new Uri(h2c), target) : null,
            published?.Https is { } https ? Reachable(new Uri(https), target) : null,
            pinnedFingerprint ?? (trustPublished ? published?.CertificateSha256 : null));
    }

    /// <summary>A target listening on every interface (<c>0.0.0.0</c>, <c>[::]</c>) publishes that address, which no
    /// client can connect to: the host the target was reached at is the one to use, with the endpoint's own port.</summary>
    private static Uri Reachable(Uri endpoint, Uri target) =>
        System.Net.IPAddress.TryParse(endpoint.Host.Trim('[', ']'), out var address)
        && (address.Equals(System.Net.IPAddress.Any) || address.Equals(System.Net.IPAddress.IPv6Any))
            ? new UriBuilder(endpoint) { Host = target.Host }.Uri
            : endpoint;
}
