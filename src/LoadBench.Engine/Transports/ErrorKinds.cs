using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using LoadBench.Engine.Transports.Connections;

namespace LoadBench.Engine.Transports;

/// <summary>
/// Names a failure the way results report it: <c>http_503</c>, <c>connect_refused</c>, <c>connection_reset</c>,
/// <c>fd_limit</c> (the process hit its open-file limit), <c>timeout</c>, <c>response_ended</c>, … Kinds are
/// short, stable snake_case strings (they become keys in results.json).
/// </summary>
internal static class ErrorKinds
{
    public const string ConnectRefused = "connect_refused";
    public const string ConnectionReset = "connection_reset";
    public const string FdLimit = "fd_limit";
    public const string Timeout = "timeout";
    public const string ResponseEnded = "response_ended";
    public const string StreamEnded = "stream_ended";
    public const string BadEvent = "bad_event";
    public const string BadResponse = "bad_response";
    public const string NonLoopback = "non_loopback";
    public const string WebSocket = "websocket";
    public const string Other = "other";

    /// <summary>The TLS handshake failed: above all, the target showed a certificate other than the pinned one.</summary>
    public const string TlsRefused = "tls_refused";

    /// <summary><c>http_{status}</c>, without allocating for the statuses a target is likely to send.</summary>
    public static string Http(HttpStatusCode status) => (int)status switch
    {
        204 => "http_204",
        400 => "http_400",
        404 => "http_404",
        410 => "http_410",
        429 => "http_429",
        500 => "http_500",
        502 => "http_502",
        503 => "http_503",
        504 => "http_504",
        var code => $"http_{code}",
    };

    /// <summary>The kind of a failure; walks inner exceptions for the socket error underneath.</summary>
    public static string Classify(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case NonLoopbackTargetException:
                    return NonLoopback;
                case System.Security.Authentication.AuthenticationException:
                    return TlsRefused;
                case SocketException socket:
                    return Socket(socket.SocketErrorCode);
                case TimeoutException:
                    return Timeout;
                case HttpRequestException { StatusCode: { } status }:
                    return Http(status);
            }
        }

        // No socket error underneath: name what the HTTP or WebSocket layer saw.
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case HttpIOException { HttpRequestError: HttpRequestError.ResponseEnded }:
                    return ResponseEnded;
                case HttpIOException { HttpRequestError: HttpRequestError.InvalidResponse }:
                    return BadResponse;
                case HttpRequestException { HttpRequestError: HttpRequestError.ResponseEnded }:
                    return ResponseEnded;
                case HttpRequestException { HttpRequestError: HttpRequestError.InvalidResponse }:
                    return BadResponse;
                case WebSocketException { WebSocketErrorCode: WebSocketError.ConnectionClosedPrematurely }:
                    return ResponseEnded;
                case OperationCanceledException:
                    return Timeout; // only reached when the caller's own token did not fire
            }
        }

        return exception switch
        {
            WebSocketException => WebSocket,
            IOException => ConnectionReset,
            _ => Other,
        };
    }

    private static string Socket(SocketError error) => error switch
    {
        SocketError.ConnectionRefused => ConnectRefused,
        SocketError.ConnectionReset or SocketError.ConnectionAborted or SocketError.Shutdown => ConnectionReset,
        SocketError.TooManyOpenSockets => FdLimit,
        SocketError.TimedOut => Timeout,
        SocketError.NoBufferSpaceAvailable => "no_buffer_space",
        SocketError.AddressNotAvailable => "address_not_available",
        _ => "socket_" + error.ToString().ToLowerInvariant(),
    };
}
