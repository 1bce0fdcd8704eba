using LoadBench.Contracts;

namespace LoadBench.Engine.Scenarios;

/// <summary>
/// The rules of the production-path setup (<see cref="ConnectionSetup"/>): each value known, and no combination
/// that cannot mean anything — a run that silently ignores half its setup would be reported as if it had it.
/// </summary>
internal static partial class ScenarioValidator
{
    /// <summary>Heartbeats: fast enough to test an idle timeout, slow enough that a typo cannot flood the target
    /// (the target's <c>heartbeatMs</c> takes the same range).</summary>
    public static readonly TimeSpan MinHeartbeat = TimeSpan.FromMilliseconds(FeedRoutes.MinHeartbeatMs);
    public static readonly TimeSpan MaxHeartbeat = TimeSpan.FromMilliseconds(FeedRoutes.MaxHeartbeatMs);

    /// <summary>Streams sharing one HTTP/2 connection: the issue's 1,000 subscribers over 10 connections is 100.</summary>
    public const int MaxStreamsPerConnection = 1000;

    private static void ValidateSetup(ScenarioDraft scenario, Action<string, string> fail)
    {
        if (scenario.Setup is not { } setup)
        {
            return;
        }

        var transport = scenario.Transport is { } t && TransportIds.All.Contains(t) ? t : null;
        if (!HttpVersions.All.Contains(setup.Http))
        {
            fail("http", $"must be one of {Quoted(HttpVersions.All)}, got \"{setup.Http}\"");
        }

        if (!CompressionKinds.All.Contains(setup.Compression))
        {
            fail("compression", $"must be one of {Quoted(CompressionKinds.All)}, got \"{setup.Compression}\"");
        }
        else if (transport is not null && !CompressionKinds.AppliesTo(setup.Compression, transport))
        {
            fail("compression", $"\"{setup.Compression}\" does not apply to '{transport}': permessage-deflate is WebSocket's, gzip and br are for poll, longpoll and sse");
        }

        if (setup.Heartbeat is { } beat)
        {
            if (beat < MinHeartbeat || beat > MaxHeartbeat)
            {
                fail("heartbeat", $"must be \"off\" or {MinHeartbeat.TotalMilliseconds:0}ms to {MaxHeartbeat.TotalMinutes:0}m, got {beat}");
            }
            else if (transport is TransportIds.Polling or TransportIds.LongPolling)
            {
                fail("heartbeat", $"heartbeats are SSE comment lines and WebSocket pings; '{transport}' has none (a long poll's hold is 'longPollTimeout', a poll's pause 'pollInterval'): use \"off\"");
            }
        }

        ValidateStreams(setup, transport, fail);
        ValidateVia(setup, transport, fail);
    }

    /// <summary>More than one stream per connection needs HTTP/2, and a subscriber that holds its stream: SSE,
    /// WebSocket (RFC 8441) and long polling (a held request). A short poll's stream lives for one answer, so the
    /// streams open on a connection are not its subscribers and the number would mean nothing.</summary>
    private static void ValidateStreams(ConnectionSetup setup, string? transport, Action<string, string> fail)
    {
        if (setup.StreamsPerConnection is < 1 or > MaxStreamsPerConnection)
        {
            fail("streamsPerConnection", $"must be 1 to {MaxStreamsPerConnection}, got {setup.StreamsPerConnection}");
        }
        else if (setup.StreamsPerConnection != 1 && setup.Http != HttpVersions.Http2)
        {
            fail("streamsPerConnection", $"is HTTP/2 only (HTTP/1.1 carries one request at a time per connection): set \"http\": \"2\" or leave it at 1, got {setup.StreamsPerConnection}");
        }
        else if (setup.StreamsPerConnection != 1 && transport == TransportIds.Polling)
        {
            fail("streamsPerConnection", "means nothing for 'poll': a short poll's stream lasts one answer, so the streams open on a connection are not its subscribers; use it with longpoll, sse or ws");
        }
    }

    /// <summary><c>direct</c>, an nginx configuration of deploy/nginx/, or an absolute http(s) URL; one set of rules
    /// (<see cref="Proxy.ViaRules"/>) for files and for scenarios built in code.</summary>
    private static void ValidateVia(ConnectionSetup setup, string? transport, Action<string, string> fail)
    {
        foreach (var issue in Proxy.ViaRules.Validate(setup, transport))
        {
            fail(issue.Field, issue.Message);
        }
    }

    private static string Quoted(IEnumerable<string> values) => string.Join(", ", values.Select(v => $"\"{v}\""));
}
