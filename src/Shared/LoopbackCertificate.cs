using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace LoadBench.Shared;

/// <summary>
/// A self-signed server certificate for loopback (127.0.0.1, ::1, localhost), made at start and trusted by its
/// SHA-256 fingerprint only. One source file linked into the two projects that serve TLS — the target (its HTTPS
/// endpoint) and the engine (the nginx it starts for a scenario's <c>via</c>) — which may not reference each other.
/// </summary>
internal static class LoopbackCertificate
{
    /// <summary>A certificate for <paramref name="key"/>, valid from 5 minutes ago (clock skew) for 7 days.</summary>
    public static X509Certificate2 Create(string subject, ECDsa key, TimeProvider time)
    {
        ArgumentException.ThrowIfNullOrEmpty(subject);
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(time);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddIpAddress(IPAddress.IPv6Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false)); // server auth
        var now = time.GetUtcNow();
        return request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(7));
    }

    /// <summary>SHA-256 of the certificate's DER bytes, upper-case hex: what clients pin.</summary>
    public static string Fingerprint(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return Convert.ToHexString(SHA256.HashData(certificate.RawData));
    }
}
