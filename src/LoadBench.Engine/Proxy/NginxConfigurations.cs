using System.Globalization;
using System.Reflection;

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

    public static string Template(string name)
    {
        using var stream = Self.GetManifestResourceStream(ResourcePrefix + name + ResourceSuffix)
            ?? throw new ArgumentException($"No nginx configuration '{name}'; there are: {string.Join(", ", Names)}.", nameof(name));
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>The configuration with its placeholders filled, as <c>render.sh --listen --prefix --upstream --workers</c> would.</summary>
    public static string Render(string name, string listen, string prefix, IReadOnlyList<string> upstreams, int workers)
    {
        ArgumentException.ThrowIfNullOrEmpty(listen);
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        ArgumentNullException.ThrowIfNull(upstreams);
        ArgumentOutOfRangeException.ThrowIfLessThan(upstreams.Count, 1, nameof(upstreams));
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1);
        // The same server line render.sh writes: one failure takes a dead replica out for 2 s.
        var servers = string.Join('\n', upstreams.Select(u => $"        server {u} max_fails=1 fail_timeout=2s;"));
        return Template(name)
            .Replace("@LISTEN@", listen, StringComparison.Ordinal)
            .Replace("@PREFIX@", prefix, StringComparison.Ordinal)
            .Replace("@WORKERS@", workers.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("@UPSTREAMS@", servers, StringComparison.Ordinal);
    }
}
