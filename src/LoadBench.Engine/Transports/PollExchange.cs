using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using LoadBench.Engine.Metrics;
using LoadBench.Engine.Transports.Connections;

namespace LoadBench.Engine.Transports;

/// <summary>
/// One poll of a request/response transport (short or long polling): <c>GET {route}?after={cursor}&amp;…</c>,
/// read the whole answer into the client's own buffer, deliver the events of a 200 array, treat 204 as empty
/// and 410 as the gone signal. Shared by <see cref="Polling.PollingClient"/> and
/// <see cref="LongPolling.LongPollingClient"/>, which differ only in route, query and pacing.
/// </summary>
internal sealed class PollExchange : IDisposable
{
    private readonly ClientCore _core;
    private readonly HttpClient _http;
    private readonly HdrHistogram.Recorder _requestLatency;
    private readonly string _prefix;
    private readonly string _suffix;
    private byte[] _buffer = new byte[4096];

    /// <param name="core">The client's shared state.</param>
    /// <param name="route">The feed route, e.g. <c>/feed/poll</c>.</param>
    /// <param name="querySuffix">What follows <c>after=N</c>, e.g. <c>&amp;max=1000</c>.</param>
    /// <param name="timeout">How long to wait for a response head before counting a timeout.</param>
    public PollExchange(ClientCore core, string route, string querySuffix, TimeSpan timeout)
    {
        _core = core;
        _requestLatency = core.Options.Recorders.Request;
        _http = new HttpClient(LoopbackConnector.CreateHandler(core.Meter), disposeHandler: true) { Timeout = timeout };
        _prefix = new Uri(core.Options.BaseUri, route).AbsoluteUri + "?after=";
        _suffix = querySuffix;
    }

    /// <summary>Sends one poll from the cursor. Returns false when it failed (counted). Throws only
    /// <see cref="OperationCanceledException"/> for <paramref name="cancellationToken"/>.</summary>
    public async Task<bool> PollAsync(long intendedStartTimestamp, CancellationToken cancellationToken)
    {
        _core.BeginAttempt();
        try
        {
            var uri = string.Concat(_prefix, _core.After.ToString(CultureInfo.InvariantCulture), _suffix);
            using var request = new HttpRequestMessage(HttpMethod.Get, uri);
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            var length = await ReadBodyAsync(response.Content, cancellationToken);
            var receivedMicros = _core.NowMicros();
            LatencyRecorders.RecordMicros(_requestLatency, Stopwatch.GetElapsedTime(intendedStartTimestamp).Ticks / TimeSpan.TicksPerMicrosecond);

            // "Empty" means the target answered and had nothing new: 200 with [] or long polling's 204.
            switch (response.StatusCode)
            {
                case HttpStatusCode.OK:
                    var delivered = DeliverArray(_buffer.AsSpan(0, length), receivedMicros);
                    _core.Counters.Request(empty: delivered == 0);
                    if (delivered < 0)
                    {
                        _core.Fail(ErrorKinds.BadResponse);
                        return false;
                    }

                    return true;
                case HttpStatusCode.NoContent:
                    _core.Counters.Request(empty: true);
                    return true;
                case HttpStatusCode.Gone:
                    _core.Counters.Request();
                    _core.Gone();
                    return true;
                default:
                    _core.Counters.Request();
                    _core.Fail(ErrorKinds.Http(response.StatusCode));
                    return false;
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException or TimeoutException)
        {
            _core.Fail(ErrorKinds.Classify(e));
            return false;
        }
        finally
        {
            _core.Meter.Settle();
        }
    }

    private async ValueTask<int> ReadBodyAsync(HttpContent content, CancellationToken cancellationToken)
    {
        if (content.Headers.ContentLength is { } expected && expected > _buffer.Length)
        {
            _buffer = new byte[(int)Math.Min(expected, Array.MaxLength)];
        }

        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        var length = 0;
        while (true)
        {
            if (length == _buffer.Length)
            {
                Array.Resize(ref _buffer, _buffer.Length * 2);
            }

            var read = await stream.ReadAsync(_buffer.AsMemory(length), cancellationToken);
            if (read == 0)
            {
                return length;
            }

            length += read;
        }
    }

    /// <summary>Delivers every event of a JSON array; returns how many, or -1 when the body is not an array of
    /// events. Each element's payload is its own bytes from <c>{</c> to <c>}</c>; brackets and commas are
    /// left to framing.</summary>
    private int DeliverArray(ReadOnlySpan<byte> body, long receivedMicros)
    {
        var reader = new Utf8JsonReader(body);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
            {
                return -1;
            }

            var count = 0;
            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.EndArray)
                {
                    return reader.Read() ? -1 : count;
                }

                var start = reader.TokenStartIndex;
                if (!FeedEventReader.TryReadObject(ref reader, out var seq, out var ts))
                {
                    return -1;
                }

                _core.Deliver(seq, ts, (int)(reader.BytesConsumed - start), receivedMicros);
                count++;
            }

            return -1;
        }
        catch (JsonException)
        {
            return -1;
        }
    }

    public void Dispose() => _http.Dispose();
}
