using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using LoadBench.Shared;

namespace LoadBench.Target.Hosting;

/// <summary>
/// The HTTPS certificate, generated at every start: ECDSA P-256, self-signed, for 127.0.0.1, ::1 and localhost.
/// No file, no password, nothing to install: clients trust it by its SHA-256 fingerprint (printed at start and
/// published on <c>/feed/endpoints</c>), which changes at every start — a fingerprint from an earlier run is refused.
/// </summary>
internal static class TargetCertificate
{
    public static X509Certificate2 Create(TimeProvider time)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var created = LoopbackCertificate.Create("CN=LoadBench target", key, time);
        // Through PKCS#12 so the private key is a persisted one every platform's TLS stack can use.
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), password: null);
    }

    /// <summary>SHA-256 of the certificate's DER bytes, upper-case hex: what clients pin.</summary>
    public static string Fingerprint(X509Certificate2 certificate) => LoopbackCertificate.Fingerprint(certificate);
}
