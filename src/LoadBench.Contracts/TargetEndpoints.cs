using System.Text.Json.Serialization;

namespace LoadBench.Contracts;

/// <summary>
/// The answer of <c>GET /feed/endpoints</c>: where the target serves each protocol. Kestrel serves cleartext
/// HTTP/2 only on an endpoint that speaks nothing else (prior knowledge: no upgrade, no ALPN without TLS), so the
/// target listens once per protocol: HTTP/1.1, cleartext HTTP/2, and HTTPS (HTTP/1.1 and HTTP/2 by ALPN) with a
/// certificate it generated at start, trusted by clients through its SHA-256 fingerprint only.
/// </summary>
/// <param name="Http1">The HTTP/1.1 endpoint, e.g. <c>http://127.0.0.1:5080/</c>.</param>
/// <param name="H2c">The cleartext HTTP/2 endpoint; null when the target was started without one.</param>
/// <param name="Https">The HTTPS endpoint; null when the target was started without one.</param>
/// <param name="CertificateSha256">The SHA-256 of the HTTPS certificate's DER bytes, 64 upper-case hex digits; null without HTTPS.</param>
public sealed record TargetEndpoints(
    [property: JsonPropertyName("http1")] string Http1,
    [property: JsonPropertyName("h2c")] string? H2c,
    [property: JsonPropertyName("https")] string? Https,
    [property: JsonPropertyName("certificateSha256")] string? CertificateSha256);
