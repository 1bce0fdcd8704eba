using LoadBench.Contracts;
using LoadBench.Engine.Scenarios;

namespace LoadBench.Engine.Proxy;

/// <summary>
/// What <c>via</c> accepts, and the combinations a proxy cannot carry — rejected before anything starts, with the
/// reason, so a scenario never measures a proxy that silently fell back to something else.
/// </summary>
internal static class ViaRules
{
    /// <summary>The problems with <paramref name="setup"/>'s <c>via</c> for <paramref name="transport"/> (empty: fine).</summary>
    public static IReadOnlyList<ScenarioIssue> Validate(ConnectionSetup setup, string? transport)
    {
        ArgumentNullException.ThrowIfNull(setup);
        var via = setup.Via;
        if (via == ConnectionSetup.DirectVia)
        {
            return [];
        }

        if (NginxConfigurations.Exists(via))
        {
            return ValidateNginx(setup, transport);
        }

        if (!Uri.TryCreate(via, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            return [new ScenarioIssue("via", $"must be \"direct\", an nginx configuration of deploy/nginx/ ({string.Join(", ", NginxConfigurations.Names)}) or an absolute http:// URL of a proxy, got \"{via}\"")];
        }

        // The clients would go to the target's own HTTPS or h2c endpoint, past the proxy: a run that silently skips
        // the proxy it names must not happen. The engine's nginx carries TLS and HTTP/2 (with its certificate).
        return setup.Http != HttpVersions.Http11 || setup.Tls
            ? [new ScenarioIssue("via", $"a proxy at a URL (\"{via}\") is reached over plain HTTP/1.1 only: the engine has no way to trust its certificate or know its HTTP/2 port; use an nginx configuration of deploy/nginx/ ({string.Join(", ", NginxConfigurations.Names)}) for TLS and HTTP/2 on the client ↔ proxy leg, or http \"1.1\" without tls")]
            : [];
    }

    private static List<ScenarioIssue> ValidateNginx(ConnectionSetup setup, string? transport)
    {
        var issues = new List<ScenarioIssue>();
        if (transport == TransportIds.WebSocket && setup.Http == HttpVersions.Http2)
        {
            issues.Add(new ScenarioIssue("via", $"WebSocket over HTTP/2 cannot go via nginx (\"{setup.Via}\"): nginx 1.22 does not support RFC 8441's extended CONNECT, so it would never upgrade; use http \"1.1\" for WebSocket through nginx, or via \"direct\""));
        }

        if (transport == TransportIds.WebSocket && NginxConfigurations.SpeaksHttp10Upstream(setup.Via))
        {
            issues.Add(new ScenarioIssue("via", $"\"{setup.Via}\" speaks HTTP/1.0 to the target (nginx's default, the buffering pitfall), and a WebSocket upgrade needs HTTP/1.1: use it with SSE or polling"));
        }

        return issues;
    }
}
