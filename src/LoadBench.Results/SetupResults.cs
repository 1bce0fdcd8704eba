using System.Globalization;

namespace LoadBench.Results;

/// <summary>
/// A scenario's production-path setup as part of its identity: what the gate, the report and the comparison use to
/// tell two scenarios of the same name and transport apart, so an HTTP/1.1 baseline never judges an HTTP/2 run and a
/// table never merges variants. A missing setup (every file before it existed) is the default one.
/// </summary>
public static class SetupResults
{
    /// <summary>HTTP/1.1, plain, uncompressed, no heartbeat, one stream per connection, direct.</summary>
    public static SetupResult Default { get; } = new();

    /// <summary>The scenario's setup, the default when it has none.</summary>
    public static SetupResult Of(ScenarioResult scenario)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        return scenario.Setup ?? Default;
    }

    /// <summary>Whether two scenarios ran with the same setup (a missing one is the default).</summary>
    public static bool Same(ScenarioResult a, ScenarioResult b) => Of(a) == Of(b);

    /// <summary>Every part, for tables and messages: <c>HTTP/2 · TLS · gzip · heartbeat 15 s · 100 streams/connection · via nginx-buffered</c>;
    /// the default is <c>HTTP/1.1 · plain · no compression · no heartbeat · direct</c>.</summary>
    public static string Describe(SetupResult? setup)
    {
        var s = setup ?? Default;
        var parts = new List<string>
        {
            s.Http == "2" ? "HTTP/2" : "HTTP/" + s.Http,
            s.Tls ? "TLS" : "plain",
            s.Compression == "none" ? "no compression" : s.Compression,
            s.HeartbeatMs is { } ms ? string.Create(CultureInfo.InvariantCulture, $"heartbeat {ms / 1000:0.###} s") : "no heartbeat",
        };
        if (s.StreamsPerConnection != 1)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{s.StreamsPerConnection} streams/connection"));
        }

        parts.Add(s.Via == "direct" ? "direct" : "via " + s.Via);
        return string.Join(" · ", parts);
    }

    /// <summary>Only what differs from the default, for labels beside a transport (<c>h2 · TLS</c>); <c>default
    /// setup</c> for the default.</summary>
    public static string DescribeDifference(SetupResult? setup)
    {
        var s = setup ?? Default;
        var d = Default;
        var parts = new List<string>();
        if (s.Http != d.Http) parts.Add("HTTP/" + s.Http);
        if (s.Tls) parts.Add("TLS");
        if (s.Compression != d.Compression) parts.Add(s.Compression);
        if (s.HeartbeatMs is { } ms) parts.Add(string.Create(CultureInfo.InvariantCulture, $"heartbeat {ms / 1000:0.###} s"));
        if (s.StreamsPerConnection != d.StreamsPerConnection) parts.Add(string.Create(CultureInfo.InvariantCulture, $"{s.StreamsPerConnection} streams/conn"));
        if (s.Via != d.Via) parts.Add("via " + s.Via);
        return parts.Count == 0 ? "HTTP/1.1, default setup" : string.Join(" · ", parts);
    }
}
