using LoadBench.Results;

namespace LoadBench.Reporting.Model;

/// <summary>
/// The two legs of a scenario run through a proxy, in words: the scenario's <c>http</c> and <c>tls</c> are the
/// client ↔ proxy leg's, and nginx reaches the target over plain HTTP/1.x whatever the clients speak to it — so a
/// reader of an "HTTP/2 · TLS" column never takes the target's side for HTTP/2 or TLS.
/// </summary>
internal static class ProxyLegs
{
    /// <summary>Whether the client ↔ proxy leg speaks anything but plain HTTP/1.1 (then the legs differ).</summary>
    public static bool LegsDiffer(ScenarioResult scenario)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        return scenario.Setup is { Via: not "direct" } setup && (setup.Tls || setup.Http != SetupResults.Default.Http);
    }

    /// <summary><c>loadbench</c>, or with different legs <c>loadbench (client ↔ nginx: HTTP/2 over TLS; nginx ↔ target:
    /// plain HTTP/1.1)</c>; <c>direct</c> for a direct scenario.</summary>
    public static string Describe(ScenarioResult scenario)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        var via = scenario.Setup?.Via ?? "direct";
        return LegsDiffer(scenario) ? $"{via} ({Legs(scenario)})" : via;
    }

    /// <summary><c>client ↔ nginx: HTTP/2 over TLS; nginx ↔ target: plain HTTP/1.1</c>.</summary>
    public static string Legs(ScenarioResult scenario)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        var setup = SetupResults.Of(scenario);
        var proxy = scenario.Proxy is null ? "proxy" : "nginx";
        var client = $"HTTP/{setup.Http}{(setup.Tls ? " over TLS" : setup.Http == SetupResults.Default.Http ? "" : " cleartext")}";
        // The engine's nginx records what it spoke to the target; a proxy at a URL is not ours to ask.
        var upstream = scenario.Proxy?.UpstreamHttp is { } version ? $"plain HTTP/{version}" : "plain HTTP/1.x";
        return $"client ↔ {proxy}: {client}; {proxy} ↔ target: {upstream}";
    }
}
