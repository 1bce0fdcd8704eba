using LoadBench.Contracts;
using LoadBench.Engine.Transports.Connections;
using LoadBench.Engine.Transports.LongPolling;
using LoadBench.Engine.Transports.Polling;
using LoadBench.Engine.Transports.Sse;
using LoadBench.Engine.Transports.WebSockets;

namespace LoadBench.Engine.Transports;

/// <summary>
/// Makes transport clients for the scheduler. Usage:
/// <code>
/// var recorders = new LatencyRecorders();
/// await using var client = FeedClientFactory.Create(new FeedClientOptions(target, TransportIds.Sse, recorders) { StartAfter = info.LatestSeq });
/// await client.RunAsync(phaseToken);             // returns when phaseToken fires
/// var totals = client.Counters.Snapshot();
/// </code>
/// Polling and long-polling clients also implement <see cref="IRequestDrivenClient"/> for open load models.
/// Each client owns one connection at a time (SSE and WebSocket: its own handler; polling and long polling: a
/// raw keep-alive connection) so that the bytes it counts are its own; dispose it.
/// </summary>
internal static class FeedClientFactory
{
    /// <summary>Creates a client for <see cref="FeedClientOptions.Transport"/>.</summary>
    /// <exception cref="ArgumentException">Unknown transport, a base address that is not absolute http, or
    /// not loopback (unless <see cref="FeedClientOptions.Connections"/> allows it), or out-of-range numbers.</exception>
    public static IFeedClient Create(FeedClientOptions options)
    {
        Validate(options);
        return options.Transport switch
        {
            TransportIds.Polling => new PollingClient(options),
            TransportIds.LongPolling => new LongPollingClient(options),
            TransportIds.Sse => new SseClient(options),
            TransportIds.WebSocket => new WebSocketClient(options),
            _ => throw new ArgumentException(
                $"Unknown transport '{options.Transport}'; expected one of {string.Join(", ", TransportIds.All)}.", nameof(options)),
        };
    }

    private static void Validate(FeedClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(options.BaseUri);
        ArgumentNullException.ThrowIfNull(options.Recorders);
        ArgumentNullException.ThrowIfNull(options.TimeProvider);
        ArgumentNullException.ThrowIfNull(options.Randomizer);
        ArgumentNullException.ThrowIfNull(options.Setup);
        var scheme = options.Setup.Tls ? Uri.UriSchemeHttps : Uri.UriSchemeHttp;
        if (!options.BaseUri.IsAbsoluteUri || options.BaseUri.Scheme != scheme)
        {
            throw new ArgumentException($"The target must be an absolute {scheme}:// address{(options.Setup.Tls ? " (the setup asks for TLS)" : "")}; got '{options.BaseUri}'.", nameof(options));
        }

        if (options.Setup.Tls && !PinnedCertificate.TryParse(options.TlsFingerprint, out _))
        {
            throw new ArgumentException($"TLS needs the target certificate's SHA-256 fingerprint (64 hex digits); got '{options.TlsFingerprint}'.", nameof(options));
        }

        if (options.Setup.StreamsPerConnection < 1 || (options.Setup.StreamsPerConnection > 1 && options.Setup.Http != HttpVersions.Http2))
        {
            throw new ArgumentException($"StreamsPerConnection must be 1, or more over HTTP/2 only; got {options.Setup.StreamsPerConnection} over HTTP/{options.Setup.Http}.", nameof(options));
        }

        ArgumentNullException.ThrowIfNull(options.Connections);
        if (!options.Connections.AllowNonLoopback && !LoopbackConnector.IsLoopback(options.BaseUri.Host))
        {
            throw new ArgumentException($"The target must be on loopback (127.0.0.1, ::1, localhost); got '{options.BaseUri.Host}'.", nameof(options));
        }

        if (options.StartAfter < 0)
        {
            throw new ArgumentException($"StartAfter must be 0 or more; got {options.StartAfter}.", nameof(options));
        }

        if (options.PollInterval < TimeSpan.Zero)
        {
            throw new ArgumentException($"PollInterval must not be negative; got {options.PollInterval}.", nameof(options));
        }

        if (options.PollMax is < 1 or > FeedRoutes.MaxPollMax)
        {
            throw new ArgumentException($"PollMax must be 1..{FeedRoutes.MaxPollMax}; got {options.PollMax}.", nameof(options));
        }

        if (options.LongPollTimeout < TimeSpan.FromMilliseconds(1) || options.LongPollTimeout > TimeSpan.FromMilliseconds(FeedRoutes.MaxLongPollTimeoutMs))
        {
            throw new ArgumentException($"LongPollTimeout must be 1 ms..{FeedRoutes.MaxLongPollTimeoutMs} ms; got {options.LongPollTimeout}.", nameof(options));
        }
    }
}
