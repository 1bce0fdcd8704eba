using System.Globalization;
using System.Reflection;
using System.Text;
using LoadBench.Contracts;

namespace LoadBench.Engine.Proxy;

/// <summary>
/// The nginx configurations of <c>deploy/nginx/</c> (<c>NAME.conf.template</c>), built into the engine so that a
/// scenario's <c>via</c> works from an installed tool too, and rendered exactly as <c>deploy/nginx/render.sh</c>
/// renders them (the same @…@ placeholders): one reader of the templates for the engine, one script for people.
/// </summary>
internal static class NginxConfigurations
{
    /// <summary>The push-ready configuration (buffering off, hour-long read timeout): <c>loadbench.conf.template</c>.</summary>
    public const string PushReady = "loadbench";

    private const string ResourcePrefix = "nginx/";
    private const string ResourceSuffix = ".conf.template";

    private static readonly Assembly Self = typeof(NginxConfigurations).Assembly;

    /// <summary>Every configuration's name, sorted: what <c>via</c> accepts besides <c>direct</c> and a URL.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. Self.GetManifestResourceNames()
        .Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal) && n.EndsWith(ResourceSuffix, StringComparison.Ordinal))
        .Select(n => n[ResourcePrefix.Length..^ResourceSuffix.Length])
        .Order(StringComparer.Ordinal)];

    public static bool Exists(string name) => Names.Contains(name, StringComparer.Ordinal);

    /// <summary>Configurations that speak HTTP/1.0 to the upstream (the buffering pitfall): WebSocket cannot
    /// upgrade through them.</summary>
    public static bool SpeaksHttp10Upstream(string name) =>
        Exists(name) && Template(name).Contains("proxy_http_version 1.0;", StringComparison.Ordinal);

    /// <summary>The HTTP version the configuration speaks to the target (plain, whatever the client leg speaks).</summary>
    public static string UpstreamHttp(string name) => SpeaksHttp10Upstream(name) ? "1.0" : HttpVersions.Http11;

    public static string Template(string name)
    {
        using var stream = Self.GetManifestResourceStream(ResourcePrefix + name + ResourceSuffix)
            ?? throw new ArgumentException($"No nginx configuration '{name}'; there are: {string.Join(", ", Names)}.", nameof(name));
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>What the client ↔ nginx leg may carry over HTTP/2: a scenario's <c>streamsPerConnection</c> at most
    /// (nginx's default, 128, would queue the rest). render.sh writes the same number.</summary>
    public const int MaxConcurrentStreams = Scenarios.ScenarioValidator.MaxStreamsPerConnection;

    /// <summary>The configuration with its placeholders filled, as <c>render.sh --listen --prefix --upstream --workers</c>
    /// would; with <paramref name="tls"/> as with <c>--ssl-certificate --ssl-certificate-key</c>, with
    /// <paramref name="http2"/> as with <c>--http2</c> (the client ↔ nginx leg only).</summary>
    public static string Render(string name, string listen, string prefix, IReadOnlyList<string> upstreams, int workers,
        NginxCertificate? tls = null, bool http2 = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(listen);
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        ArgumentNullException.ThrowIfNull(upstreams);
        ArgumentOutOfRangeException.ThrowIfLessThan(upstreams.Count, 1, nameof(upstreams));
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1);
        // The same server line render.sh writes: one failure takes a dead replica out for 2 s.
        var servers = string.Join('\n', upstreams.Select(u => $"        server {u} max_fails=1 fail_timeout=2s;"));
        var (flags, leg) = ClientLeg(tls, http2);
        return Template(name)
            .Replace("@LISTEN@", listen + flags, StringComparison.Ordinal)
            .Replace("@CLIENT_LEG@\n", leg, StringComparison.Ordinal)
            .Replace("@PREFIX@", prefix, StringComparison.Ordinal)
            .Replace("@WORKERS@", workers.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("@UPSTREAMS@", servers, StringComparison.Ordinal);
    }

    /// <summary>The listen flags and directives of the client ↔ nginx leg (nothing for plain HTTP/1.1). nginx 1.22's
    /// syntax: <c>http2</c> is a flag of <c>listen</c> (a directive of its own only from 1.25.1); with <c>ssl</c> it is
    /// offered by ALPN beside HTTP/1.1, without it the port speaks cleartext HTTP/2 by prior knowledge only.</summary>
    private static (string Flags, string Lines) ClientLeg(NginxCertificate? tls, bool http2)
    {
        var flags = "";
        var lines = new StringBuilder();
        if (tls is not null)
        {
            flags += " ssl";
            // TLS 1.2 and 1.3 only, as a production configuration allows (1.22's default still has 1.0 and 1.1).
            lines.Append(CultureInfo.InvariantCulture, $"        ssl_certificate {tls.CertificateFile};\n")
                .Append(CultureInfo.InvariantCulture, $"        ssl_certificate_key {tls.KeyFile};\n")
                .Append("        ssl_protocols TLSv1.2 TLSv1.3;\n");
        }

        if (http2)
        {
            flags += " http2";
            lines.Append(CultureInfo.InvariantCulture, $"        http2_max_concurrent_streams {MaxConcurrentStreams};\n");
        }

        return (flags, lines.ToString());
    }
}
