using LoadBench.Contracts;

namespace LoadBench.Engine.Scenarios;

/// <summary>
/// How a scenario's clients reach the target: the production-path dimensions of a scenario entry (<c>http</c>,
/// <c>tls</c>, <c>compression</c>, <c>heartbeat</c>, <c>streamsPerConnection</c>, <c>via</c>). Each is part of
/// the scenario's setup: a baseline taken with one setup never judges a run with another, and reports never merge
/// variants. The default is what every run measured before these existed: HTTP/1.1, plain, uncompressed, no
/// heartbeat, one stream per connection, direct.
/// </summary>
public sealed record ConnectionSetup
{
    public static readonly ConnectionSetup Default = new();

    /// <summary>One of <see cref="HttpVersions.All"/>.</summary>
    public string Http { get; init; } = HttpVersions.Http11;

    /// <summary>HTTPS against the certificate the target generated (trusted by its fingerprint only).</summary>
    public bool Tls { get; init; }

    /// <summary>One of <see cref="CompressionKinds.All"/>.</summary>
    public string Compression { get; init; } = CompressionKinds.None;

    /// <summary>SSE comment lines and WebSocket pings at this interval; null: none at all (not even ASP.NET Core's
    /// default WebSocket keep-alive).</summary>
    public TimeSpan? Heartbeat { get; init; }

    /// <summary>HTTP/2 only: how many subscribers share one connection (1: a connection each).</summary>
    public int StreamsPerConnection { get; init; } = 1;

    /// <summary><c>direct</c>, the name of a configuration under <c>deploy/nginx/</c> (the engine starts nginx with
    /// it), or an absolute URL of a proxy someone else runs.</summary>
    public string Via { get; init; } = DirectVia;

    public const string DirectVia = "direct";

    public bool IsDefault => this == Default;

    /// <summary>The setup as results record it: null for the default, so results of every run before these
    /// dimensions existed and of a default run now are the same scenario to the gate and the report.</summary>
    public Results.SetupResult? ToResult() => IsDefault ? null : new Results.SetupResult
    {
        Http = Http,
        Tls = Tls,
        Compression = Compression,
        HeartbeatMs = Heartbeat?.TotalMilliseconds,
        StreamsPerConnection = StreamsPerConnection,
        Via = Via,
    };

    /// <summary>Only what differs from the default, e.g. <c>HTTP/2 · TLS</c>: the words the report uses beside a
    /// transport (<see cref="Results.SetupResults.DescribeDifference"/>), so a message and a table say it alike.</summary>
    public string Describe() => Results.SetupResults.DescribeDifference(ToResult());
}
