using System.Net;
using LoadBench.Contracts;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace LoadBench.Target.Hosting;

/// <summary>
/// One endpoint per protocol (<c>--urls</c> HTTP/1.1, <c>--h2c-url</c> cleartext HTTP/2, <c>--https-url</c> HTTPS
/// with HTTP/1.1 and HTTP/2 by ALPN). Kestrel takes a listen call in code over <c>--urls</c>, so once an extra
/// endpoint is asked for, every endpoint is bound here, the HTTP/1.1 ones first (the first address stays the
/// HTTP/1.1 one for whoever reads the server's addresses). Without extra endpoints nothing changes: Kestrel binds
/// <c>--urls</c> as before.
/// </summary>
internal sealed class ProtocolEndpoints
{
    private readonly List<ListenOptions> _http1 = [];
    private ListenOptions? _h2c;
    private ListenOptions? _https;

    public ProtocolEndpoints(TargetOptions options, string urls, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        Urls = urls;
        H2cUrl = options.H2cUrl;
        HttpsUrl = options.HttpsUrl;
        if (HttpsUrl is not null)
        {
            Certificate = TargetCertificate.Create(time);
            CertificateSha256 = TargetCertificate.Fingerprint(Certificate);
        }
    }

    public string Urls { get; }
    public string? H2cUrl { get; }
    public string? HttpsUrl { get; }
    public System.Security.Cryptography.X509Certificates.X509Certificate2? Certificate { get; }
    public string? CertificateSha256 { get; }

    /// <summary>Whether the endpoints are bound here (an extra protocol was asked for).</summary>
    public bool BindsHere => H2cUrl is not null || HttpsUrl is not null;

    /// <summary>The endpoints whose connections carry HTTP/1.1 heads in cleartext: the target's head scanner reads
    /// those only (an HTTP/2 frame or a TLS record is not a head; there the engine's counts split the bytes).</summary>
    public bool ScansHeads(ListenOptions listen) => !ReferenceEquals(listen, _h2c) && !ReferenceEquals(listen, _https);

    public void Bind(KestrelServerOptions kestrel)
    {
        ArgumentNullException.ThrowIfNull(kestrel);
        foreach (var url in Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var (address, port) = Parse(url, "--urls");
            kestrel.Listen(address, port, listen =>
            {
                listen.Protocols = HttpProtocols.Http1;
                _http1.Add(listen);
            });
        }

        if (H2cUrl is not null)
        {
            var (address, port) = Parse(H2cUrl, "--h2c-url");
            kestrel.Listen(address, port, listen =>
            {
                listen.Protocols = HttpProtocols.Http2;
                _h2c = listen;
            });
        }

        if (HttpsUrl is not null)
        {
            var (address, port) = Parse(HttpsUrl, "--https-url");
            kestrel.Listen(address, port, listen =>
            {
                listen.Protocols = HttpProtocols.Http1AndHttp2;
                // After the counting middleware (added by the endpoint defaults, before this runs): the target counts
                // the socket's bytes, TLS records included, as the engine does.
                listen.UseHttps(Certificate!);
                _https = listen;
            });
        }
    }

    /// <summary>The bound addresses (real ports once the server started), for <c>/feed/endpoints</c>.</summary>
    public TargetEndpoints Describe(Uri? fallbackHttp1)
    {
        var http1 = _http1.Count > 0 ? Address("http", _http1[0]) : fallbackHttp1?.ToString() ?? Urls;
        return new TargetEndpoints(http1, _h2c is null ? null : Address("http", _h2c), _https is null ? null : Address("https", _https), CertificateSha256);
    }

    private static string Address(string scheme, ListenOptions listen)
    {
        var endpoint = listen.IPEndPoint!;
        var host = endpoint.Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{endpoint.Address}]" : endpoint.Address.ToString();
        return $"{scheme}://{host}:{endpoint.Port}/";
    }

    private static (IPAddress Address, int Port) Parse(string url, string option)
    {
        BindingAddress binding;
        try
        {
            binding = BindingAddress.Parse(url);
        }
        catch (FormatException)
        {
            throw new TargetConfigurationException($"{option}: '{url}' is not a URL like {TargetOptions.DefaultUrl}.");
        }

        var host = binding.Host.Trim('[', ']');
        var address = host.Equals("localhost", StringComparison.OrdinalIgnoreCase) ? IPAddress.Loopback
            : IPAddress.TryParse(host, out var ip) ? ip
            : IPAddress.Any; // "*", "+": all interfaces (allowed with a control token only, checked per endpoint)
        return (address, binding.Port);
    }
}
