using System.Globalization;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace LoadBench.Engine.Transports.Connections;

/// <summary>
/// The one server certificate a client trusts: the target's, named by the SHA-256 of its DER bytes (what the
/// target prints at start and publishes on <c>/feed/endpoints</c>). Any other certificate is refused, however
/// valid its chain — there is no "accept any" anywhere — and the chain is not consulted at all: the target's
/// certificate is self-signed, generated at its start, so only its fingerprint can say it is the right one.
/// </summary>
internal sealed class PinnedCertificate
{
    private readonly byte[] _sha256;

    private PinnedCertificate(byte[] sha256) => _sha256 = sha256;

    /// <summary>The fingerprint as 64 hex digits (upper or lower case, colons allowed: <c>AB:CD:…</c>).</summary>
    public string Fingerprint => Convert.ToHexString(_sha256);

    /// <summary>Parses a fingerprint; false when it is not 32 bytes of hex.</summary>
    public static bool TryParse(string? text, out PinnedCertificate? pinned)
    {
        pinned = null;
        var hex = text?.Replace(":", "", StringComparison.Ordinal).Trim();
        if (hex is not { Length: 64 } || !hex.All(Uri.IsHexDigit))
        {
            return false;
        }

        pinned = new PinnedCertificate(Convert.FromHexString(hex));
        return true;
    }

    /// <exception cref="ArgumentException">Not a SHA-256 fingerprint.</exception>
    public static PinnedCertificate Parse(string text) => TryParse(text, out var pinned)
        ? pinned!
        : throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
            $"A TLS certificate fingerprint is the SHA-256 of the certificate: 64 hex digits; got '{text}'."), nameof(text));

    /// <summary>True only for the certificate with this fingerprint.</summary>
    public bool Matches(X509Certificate? certificate) =>
        certificate is not null && CryptographicOperations.FixedTimeEquals(SHA256.HashData(certificate.GetRawCertData()), _sha256);

    /// <summary>Client TLS options that accept this certificate and no other (ALPN is the handler's business).</summary>
    public SslClientAuthenticationOptions ClientOptions() => new()
    {
        RemoteCertificateValidationCallback = (_, certificate, _, _) => Matches(certificate),
    };
}

/// <summary>How a client speaks to the target: HTTP/1.1 or HTTP/2 (cleartext by prior knowledge, or by ALPN over
/// TLS), and over TLS with exactly which certificate.</summary>
/// <param name="Http2">HTTP/2 only (the request version is exact: never a silent fall-back to HTTP/1.1).</param>
/// <param name="Tls">The pinned certificate under TLS; null for cleartext.</param>
internal sealed record ClientProtocol(bool Http2, PinnedCertificate? Tls)
{
    public static ClientProtocol Http11 { get; } = new(false, null);

    public Version Version => Http2 ? System.Net.HttpVersion.Version20 : System.Net.HttpVersion.Version11;

    /// <summary>Anything but plain HTTP/1.1 goes through <see cref="System.Net.Http.SocketsHttpHandler"/>, which speaks
    /// HTTP/2 and TLS; plain HTTP/1.1 polling keeps its raw keep-alive connection.</summary>
    public bool NeedsHandler => Http2 || Tls is not null;

    /// <summary>From the scenario's setup and the target's fingerprint.</summary>
    /// <exception cref="ArgumentException">TLS without a valid fingerprint.</exception>
    public static ClientProtocol From(Scenarios.ConnectionSetup setup, string? tlsFingerprint)
    {
        ArgumentNullException.ThrowIfNull(setup);
        var http2 = setup.Http == Contracts.HttpVersions.Http2;
        if (!setup.Tls)
        {
            return http2 ? new ClientProtocol(true, null) : Http11;
        }

        if (tlsFingerprint is null)
        {
            throw new ArgumentException("TLS needs the target certificate's SHA-256 fingerprint (--tls-fingerprint with --target).", nameof(tlsFingerprint));
        }

        return new ClientProtocol(http2, PinnedCertificate.Parse(tlsFingerprint));
    }
}
