using System.Text.RegularExpressions;
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

    /// <summary>Streams sharing one HTTP/2 connection: the 1,000 subscribers over 10 connections is 100.</summary>
    public const int MaxStreamsPerConnection = 1000;

    [GeneratedRegex("^[a-z0-9][a-z0-9_-]*$")]
    private static partial Regex NginxConfigName();

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

    /// <summary><c>direct</c>, an nginx configuration's name (whether it exists is for the runner that starts nginx
    /// to say), or an absolute http(s) URL. nginx 1.22 cannot carry WebSocket over HTTP/2 (no RFC 8441).</summary>
    private static void ValidateVia(ConnectionSetup setup, string? transport, Action<string, string> fail)
    {
        var via = setup.Via;
        if (via == ConnectionSetup.DirectVia)
        {
            return;
        }

        if (Uri.TryCreate(via, UriKind.Absolute, out var url) && url.Scheme is "http" or "https")
        {
            return;
        }

        if (via.Contains(':', StringComparison.Ordinal) || via.Contains('/', StringComparison.Ordinal))
        {
            fail("via", $"must be \"direct\", the name of a configuration in deploy/nginx/ or an absolute http(s) URL, got \"{via}\"");
        }
        else if (!NginxConfigName().IsMatch(via))
        {
            fail("via", $"an nginx configuration's name is lower-case letters, digits, '-' and '_' (a file in deploy/nginx/), got \"{via}\"");
        }
        else if (transport == TransportIds.WebSocket && setup.Http == HttpVersions.Http2)
        {
            fail("via", $"nginx (1.22) cannot carry WebSocket over HTTP/2 (no RFC 8441 extended CONNECT): use \"http\": \"1.1\" for ws through \"{via}\", or \"direct\"");
        }
    }

    private static string Quoted(IEnumerable<string> values) => string.Join(", ", values.Select(v => $"\"{v}\""));
}
