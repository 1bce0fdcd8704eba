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

    public HandlerPollConnection(SocketsHttpHandler handler, bool ownsHandler, Version version, TimeSpan timeout, TimeProvider time)
    {
        _invoker = new HttpMessageInvoker(handler, disposeHandler: ownsHandler);
        _version = version;
        _timeout = timeout;
        _time = time;
    }

    /// <summary>One GET and its whole answer. Throws <see cref="HttpRequestException"/>, <see cref="IOException"/>
    /// or <see cref="TimeoutException"/> (no whole answer within the timeout, connect included).</summary>
    public async ValueTask<KeepAliveResponse> GetAsync(Uri uri, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(_timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        using var request = new HttpRequestMessage(HttpMethod.Get, uri) { Version = _version, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
        try
        {
            using var response = await _invoker.SendAsync(request, linked.Token);
            var body = await response.Content.ReadAsByteArrayAsync(linked.Token);
            return new KeepAliveResponse((int)response.StatusCode, body, Chunked: false, Reconnected: false);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"No complete response within {_timeout.TotalSeconds:0.###} s.");
        }
    }

    public void Dispose() => _invoker.Dispose();
}
