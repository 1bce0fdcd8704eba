using System.Net;
using System.Net.Sockets;
using LoadBench.Engine.Metrics;

namespace LoadBench.Engine.Transports.Connections;

/// <summary>
/// The one place where client connections are opened. Every connection goes to a loopback address — any other
/// host is refused before a socket exists, unless the client's <see cref="ConnectionPolicy"/> allows it (an explicit
/// flag) — and is wrapped in a <see cref="CountingStream"/> that reports to the client's <see cref="WireMeter"/>.
/// </summary>
/// <remarks>
/// Each client gets its own handler (one connection at a time) rather than one pool shared by a scenario: a
/// pooled connection serves whichever request comes next, and ClientWebSocket builds its own upgrade request,
/// so with a shared pool the bytes of a connection could not be tied to the client that used them. A handler
/// holds no timers when its idle timeout and lifetime are infinite, so thousands of them are cheap.
/// </remarks>
internal static class LoopbackConnector
{
    internal static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Creates the handler of one client (or of the streams sharing one HTTP/2 connection): loopback only,
    /// counted, one keep-alive connection, no proxy, cookies, redirects or decompression (each would change what
    /// crosses the wire).</summary>
    /// <remarks>Under TLS the handler does the handshake (with ALPN for the version asked) over the counted socket
    /// the connect callback returns, trusting only <see cref="ClientProtocol.Tls"/>'s certificate; the plaintext filter
    /// then counts the decrypted bytes and finds their heads, so TLS is the difference of the two counts.</remarks>
    public static SocketsHttpHandler CreateHandler(WireMeter meter, ConnectionPolicy? policy = null, ClientProtocol? protocol = null)
    {
        ArgumentNullException.ThrowIfNull(meter);
        var connections = policy ?? ConnectionPolicy.LoopbackOnly;
        var wire = protocol ?? ClientProtocol.Http11;
        var layer = wire.Tls is null ? CountedLayer.SocketAndPlaintext : CountedLayer.Socket;
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = (context, cancellationToken) => ConnectAsync(context.DnsEndPoint, meter, connections, layer, wire.Http2, cancellationToken),
            ConnectTimeout = ConnectTimeout,
            MaxConnectionsPerServer = 1,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            UseProxy = false,
            UseCookies = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            // One HTTP/2 connection carries every stream of the client (or of the clients sharing it): requests past
            // the target's stream limit wait for a free stream rather than open a second, uncounted-for connection.
            EnableMultipleHttp2Connections = false,
        };
        if (wire.Tls is { } pinned)
        {
            handler.SslOptions = pinned.ClientOptions();
            handler.PlaintextStreamFilter = (context, _) => ValueTask.FromResult<Stream>(
                new CountingStream(context.PlaintextStream, meter, CountedLayer.Plaintext, http2: context.NegotiatedHttpVersion.Major == 2));
        }

        return handler;
    }

    /// <summary>
    /// Opens one TCP connection for a client that speaks HTTP/1.1 on the socket itself (the raw SSE and WebSocket
    /// paths), failing as a handler would: within the handler's connect timeout, and with a socket error or a
    /// refused host wrapped in <see cref="HttpRequestException"/> (<see cref="ErrorKinds"/> walks to the cause).
    /// </summary>
    internal static async ValueTask<Socket> ConnectRawAsync(string host, int port, ConnectionPolicy policy, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(ConnectTimeout);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        try
        {
            return await ConnectSocketAsync(host, port, policy, linked.Token);
        }
        catch (OperationCanceledException e) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new HttpRequestException(HttpRequestError.ConnectionError, "The connection to the target timed out.", new TimeoutException(null, e));
        }
        catch (Exception e) when (e is SocketException or NonLoopbackTargetException)
        {
            throw new HttpRequestException(HttpRequestError.ConnectionError, e.Message, e);
        }
    }

    /// <summary>
    /// A non-blocking TCP socket (Nagle off, bound to the policy's next source address) with its connect to
    /// <paramref name="endPoint"/> started, for the engine's epoll loops: <paramref name="pending"/> says the connect goes
    /// on, and epoll's first report of room to send is its end. A socket error at any step (EMFILE at <c>new Socket</c>
    /// is the client's fd limit, not a crash) is thrown, the socket closed.
    /// </summary>
    internal static Socket StartNonBlockingConnect(IPEndPoint endPoint, ConnectionPolicy policy, out bool pending)
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, Blocking = false };
        try
        {
            if (policy.NextSource(endPoint.AddressFamily) is { } source)
            {
                socket.Bind(new IPEndPoint(source, 0));
            }

            try
            {
                socket.Connect(endPoint);
                pending = false;
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.WouldBlock or SocketError.InProgress or SocketError.IOPending)
            {
                pending = true;
            }

            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Writes a request head (a request without a body is all head) on a raw socket just connected, every byte on
    /// <paramref name="meter"/> as it is sent.</summary>
    /// <remarks>Synchronously: a head of a few hundred bytes fits a fresh socket's empty send buffer at once, and an
    /// asynchronous send would cache a second <see cref="SocketAsyncEventArgs"/> on the socket for the connection's life
    /// (~0.4 KiB per subscriber) for the only bytes it sends. Only for that: this may run on the engine's only epoll
    /// thread, where a send that waited for buffer space would wait for itself; frames and anything bigger go through
    /// the async path.</remarks>
    internal static void SendHead(Socket socket, ReadOnlySpan<byte> head, WireMeter meter)
    {
        for (var sent = 0; sent < head.Length;)
        {
            var n = socket.Send(head[sent..], SocketFlags.None);
            meter.OnWritten(n, n);
            sent += n;
        }
    }

    /// <summary>True for 127.0.0.0/8, ::1 and the name <c>localhost</c>.</summary>
    public static bool IsLoopback(string host) => TryGetLoopbackAddress(host, out _);

    internal static async ValueTask<Stream> ConnectAsync(
        DnsEndPoint endPoint, WireMeter meter, ConnectionPolicy policy, CountedLayer layer, bool http2, CancellationToken cancellationToken)
    {
        var socket = await ConnectSocketAsync(endPoint.Host, endPoint.Port, policy, cancellationToken);
        return new CountingStream(new NetworkStream(socket, ownsSocket: true), meter, layer, http2);
    }

    /// <summary>Opens one TCP connection with Nagle off: to a loopback host, or to any host when
    /// <paramref name="policy"/> allows it; from the policy's next source address when it names some.</summary>
    internal static async ValueTask<Socket> ConnectSocketAsync(
        string host, int port, ConnectionPolicy? policy, CancellationToken cancellationToken)
    {
        policy ??= ConnectionPolicy.LoopbackOnly;
        if (!TryGetAddressWithoutDns(host, policy, out var address))
        {
            if (!policy.AllowNonLoopback)
            {
                throw new NonLoopbackTargetException(host);
            }

            // Allowed explicitly, and a name: through DNS (first address).
            address = (await Dns.GetHostAddressesAsync(host, cancellationToken))[0];
        }

        // new Socket throws SocketException(TooManyOpenSockets) at the process's open-file limit (EMFILE);
        // the client reports that as fd_limit and backs off instead of dying.
        var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            if (policy.NextSource(address.AddressFamily) is { } source)
            {
                // Port 0: the kernel picks a free ephemeral port of this source address.
                socket.Bind(new IPEndPoint(source, 0));
            }

            await socket.ConnectAsync(new IPEndPoint(address, port), cancellationToken);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>The target's address for the engine's epoll loops, which do no DNS: a loopback host or an allowed IP
    /// literal (<see cref="TryGetAddressWithoutDns"/>) with the URI's port; null keeps the awaited path, which resolves or
    /// refuses the host as every client does.</summary>
    internal static IPEndPoint? EndPointWithoutDns(Uri uri, ConnectionPolicy policy) =>
        TryGetAddressWithoutDns(uri.Host, policy, out var address) ? new IPEndPoint(address, uri.Port) : null;

    /// <summary>The address to connect to when it needs no DNS: a loopback host, or — when <paramref name="policy"/> allows
    /// other hosts — an IP literal as written. False for a name elsewhere (DNS, if allowed) and for a refused host.</summary>
    internal static bool TryGetAddressWithoutDns(string host, ConnectionPolicy policy, out IPAddress address)
    {
        if (TryGetLoopbackAddress(host, out address))
        {
            return true;
        }

        if (policy.AllowNonLoopback && IPAddress.TryParse(host.Trim('[', ']'), out var literal))
        {
            address = literal;
            return true;
        }

        return false;
    }

    private static bool TryGetLoopbackAddress(string host, out IPAddress address)
    {
        // Never ask DNS: a name that resolves elsewhere must not turn a benchmark into traffic off this host.
        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            address = IPAddress.Loopback;
            return true;
        }

        if (IPAddress.TryParse(host.Trim('[', ']'), out var parsed) && IPAddress.IsLoopback(parsed))
        {
            address = parsed;
            return true;
        }

        address = IPAddress.None;
        return false;
    }
}

/// <summary>Thrown when a client is asked to connect anywhere but loopback.</summary>
internal sealed class NonLoopbackTargetException : InvalidOperationException
{
    public NonLoopbackTargetException(string host)
        : base($"LoadBench clients connect only to loopback (127.0.0.0/8, ::1, localhost); refused host '{host}'.")
    {
        Host = host;
    }

    public NonLoopbackTargetException()
    {
        Host = string.Empty;
    }

    public NonLoopbackTargetException(string message, Exception innerException)
        : base(message, innerException)
    {
        Host = string.Empty;
    }

    public string Host { get; }
}
