using System.Security.Cryptography;
using LoadBench.Shared;

namespace LoadBench.Engine.Proxy;

/// <summary>
/// The certificate of the nginx the engine starts with TLS on the client ↔ nginx leg: made for that one nginx,
/// written as PEM files into its own temp folder (the key readable by its owner only, mode 600, and deleted with
/// the folder), and trusted by the clients through its fingerprint alone — the same pinning as the target's
/// certificate, never a global "accept any".
/// </summary>
/// <param name="CertificateFile">The certificate, PEM (nginx's <c>ssl_certificate</c>).</param>
/// <param name="KeyFile">The private key, PKCS#8 PEM, mode 600 (nginx's <c>ssl_certificate_key</c>).</param>
/// <param name="Fingerprint">SHA-256 of the certificate's DER bytes, upper-case hex: what the clients pin.</param>
internal sealed record NginxCertificate(string CertificateFile, string KeyFile, string Fingerprint)
{
    /// <summary>Makes a certificate and writes it into <paramref name="folder"/> (<c>nginx.crt</c>, <c>nginx.key</c>).</summary>
    public static NginxCertificate Write(string folder, TimeProvider time)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var certificate = LoopbackCertificate.Create("CN=LoadBench nginx", key, time);
        var keyFile = Path.Combine(folder, "nginx.key");
        var keyOptions = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            // Created with mode 600 (never world-readable, not even for a moment): a private key, however short-lived.
            keyOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(keyFile, keyOptions))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(key.ExportPkcs8PrivateKeyPem());
        }

        var certificateFile = Path.Combine(folder, "nginx.crt");
        File.WriteAllText(certificateFile, certificate.ExportCertificatePem());
        return new NginxCertificate(certificateFile, keyFile, LoopbackCertificate.Fingerprint(certificate));
    }
}
