using LoadBench.Contracts;
using LoadBench.Engine.Scenarios;

namespace LoadBench.Engine.Proxy;

/// <summary>
/// What the client ↔ nginx leg of a scenario run <c>via</c> an nginx the engine starts speaks: the scenario's
/// <c>tls</c> and <c>http</c> apply to this leg only. nginx 1.22 speaks HTTP/1.x to the target whatever the clients
/// speak to it, so the nginx ↔ target leg (the target's own counters) is never TLS and never HTTP/2.
/// </summary>
/// <param name="Tls">nginx serves TLS with a certificate made for it (<see cref="NginxCertificate"/>).</param>
/// <param name="Http2">nginx speaks HTTP/2: by ALPN under TLS, by prior knowledge (h2c) without.</param>
internal sealed record NginxClientLeg(bool Tls, bool Http2)
{
    public static NginxClientLeg Plain { get; } = new(false, false);

    public static NginxClientLeg Of(ConnectionSetup setup)
    {
        ArgumentNullException.ThrowIfNull(setup);
        return new NginxClientLeg(setup.Tls, setup.Http == HttpVersions.Http2);
    }
}
