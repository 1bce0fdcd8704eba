using LoadBench.Engine.Metrics;

namespace LoadBench.Engine.Transports.Connections;

/// <summary>
/// The polling clients' connection when the setup asks for HTTP/2 or TLS: GETs through the client's counted
/// <see cref="SocketsHttpHandler"/> (or the one of the HTTP/2 connection it shares), which speaks both. Plain
/// HTTP/1.1 keeps <see cref="KeepAliveConnection"/>, whose request head is the one HttpClient sends; here HttpClient
/// sends it itself, so the bytes per poll mean the same thing. Answers with the same
/// <see cref="KeepAliveResponse"/> (the body as the application wrote it: never chunked here).
/// </summary>
internal sealed class HandlerPollConnection : IDisposable
{
    private readonly HttpMessageInvoker _invoker;
    private readonly Version _version;
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _time;
    private readonly string? _acceptEncoding;
    private readonly WireMeter? _encodedBodies;

    /// <param name="acceptEncoding">The coding to ask for (<c>gzip</c> or <c>br</c>), null for none.</param>
    /// <param name="encodedBodies">Over HTTP/2: the meter to report a compressed body to (its DATA payloads are
    /// the clients' to count); null over HTTP/1.1, where the scanner finds it on the socket.</param>
    public HandlerPollConnection(SocketsHttpHandler handler, bool ownsHandler, Version version, TimeSpan timeout, TimeProvider time,
        string? acceptEncoding = null, WireMeter? encodedBodies = null)
    {
        _invoker = new HttpMessageInvoker(handler, disposeHandler: ownsHandler);
        _version = version;
        _timeout = timeout;
        _time = time;
        _acceptEncoding = acceptEncoding;
        _encodedBodies = encodedBodies;
    }

    /// <summary>One GET and its whole answer. Throws <see cref="HttpRequestException"/>, <see cref="IOException"/>
    /// or <see cref="TimeoutException"/> (no whole answer within the timeout, connect included).</summary>
    public async ValueTask<KeepAliveResponse> GetAsync(Uri uri, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(_timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        using var request = new HttpRequestMessage(HttpMethod.Get, uri) { Version = _version, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
        if (_acceptEncoding is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept-Encoding", _acceptEncoding);
        }

        try
        {
            using var response = await _invoker.SendAsync(request, linked.Token);
            var body = await response.Content.ReadAsByteArrayAsync(linked.Token);
            // The handler decompresses nothing (LoopbackConnector): the body is as it crossed the wire, still encoded.
            var coding = ContentCodings.Parse(System.Text.Encoding.ASCII.GetBytes(string.Join(",", response.Content.Headers.ContentEncoding)));
            if (coding != ContentCoding.None)
            {
                _encodedBodies?.EncodedBody(body.Length);
            }

            return new KeepAliveResponse((int)response.StatusCode, body, Chunked: false, Reconnected: false) { Coding = coding };
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"No complete response within {_timeout.TotalSeconds:0.###} s.");
        }
    }

    public void Dispose() => _invoker.Dispose();
}
