using System.Net;
using System.Net.Sockets;
using System.Text;

namespace LoadBench.Engine.Tests.TestSupport;

/// <summary>
/// A raw TCP server on 127.0.0.1 that plays a hand-written HTTP exchange, so tests know every byte on the wire.
/// It counts what it receives and sends on its side of the socket: an independent truth for the client's meter.
/// </summary>
public sealed class StubServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Func<StubConnection, CancellationToken, Task> _handler;
    private readonly List<Task> _connections = [];
    private readonly Task _acceptLoop;
    private long _received;
    private long _sent;
    private int _accepted;
    private int _busy;

    public StubServer(Func<StubConnection, CancellationToken, Task> handler)
    {
        _handler = handler;
        _listener.Start();
        BaseUri = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");
        _acceptLoop = AcceptLoopAsync();
    }

    public Uri BaseUri { get; }

    public int Port => BaseUri.Port;

    public long BytesReceived => Interlocked.Read(ref _received);

    public long BytesSent => Interlocked.Read(ref _sent);

    public int ConnectionsAccepted => Volatile.Read(ref _accepted);

    /// <summary>
    /// True when no connection handler is running between reads: each one is waiting for the client or has
    /// finished, so the stub has nothing more on its way. Equal byte counts alone do not say that: a trickling
    /// stub pauses between bytes, and the counts agree in every pause (e.g. before an SSE chunk's closing CRLF,
    /// which comes after the event the client already parsed).
    /// </summary>
    public bool Quiet => Volatile.Read(ref _busy) == 0;

    /// <summary>Every request head received, in order, exactly as it came (CRLFs included).</summary>
    public List<string> RequestHeads { get; } = [];

    internal void CountReceived(int bytes) => Interlocked.Add(ref _received, bytes);

    internal void CountSent(int bytes) => Interlocked.Add(ref _sent, bytes);

    internal void Busy(int delta) => Interlocked.Add(ref _busy, delta);

    internal void AddHead(string head)
    {
        lock (RequestHeads)
        {
            RequestHeads.Add(head);
        }
    }

    public string[] Heads()
    {
        lock (RequestHeads)
        {
            return [.. RequestHeads];
        }
    }

    private async Task AcceptLoopAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var socket = await _listener.AcceptSocketAsync(_stop.Token);
                var index = Interlocked.Increment(ref _accepted) - 1;
                var connection = new StubConnection(this, socket, index);
                Busy(1); // until the handler waits for the client or ends
                lock (_connections)
                {
                    _connections.Add(RunAsync(connection));
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task RunAsync(StubConnection connection)
    {
        try
        {
            await _handler(connection, _stop.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException)
        {
        }
        finally
        {
            connection.Dispose();
            Busy(-1);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        await _acceptLoop;
        Task[] running;
        lock (_connections)
        {
            running = [.. _connections];
        }

        await Task.WhenAll(running);
        _stop.Dispose();
    }
}

/// <summary>One accepted connection of a <see cref="StubServer"/>.</summary>
public sealed class StubConnection : IDisposable
{
    private readonly StubServer _server;
    private readonly NetworkStream _stream;
    private readonly Socket _socket;

    internal StubConnection(StubServer server, Socket socket, int index)
    {
        _server = server;
        _socket = socket;
        socket.NoDelay = true;
        _stream = new NetworkStream(socket, ownsSocket: true);
        Index = index;
    }

    /// <summary>0 for the first connection the server accepted, 1 for the next, …</summary>
    public int Index { get; }

    /// <summary>Reads one request head byte by byte (never past its blank line) and returns it, or null at EOF.</summary>
    public async Task<string?> ReadHeadAsync(CancellationToken cancellationToken)
    {
        var head = new List<byte>(256);
        var one = new byte[1];
        while (true)
        {
            if (await WaitForClientAsync(_stream.ReadAsync(one, cancellationToken)) == 0)
            {
                return null;
            }

            _server.CountReceived(1);
            head.Add(one[0]);
            var n = head.Count;
            if (n >= 4 && head[n - 4] == '\r' && head[n - 3] == '\n' && head[n - 2] == '\r' && head[n - 1] == '\n')
            {
                var text = Encoding.ASCII.GetString([.. head]);
                _server.AddHead(text);
                return text;
            }
        }
    }

    /// <summary>Reads exactly <paramref name="count"/> bytes (a client frame).</summary>
    public async Task<byte[]> ReadExactlyAsync(int count, CancellationToken cancellationToken)
    {
        var buffer = new byte[count];
        await WaitForClientAsync(FillAsync(buffer, cancellationToken));
        _server.CountReceived(count);
        return buffer;
    }

    /// <summary>Sends bytes in one write, or one byte per write (and a flush and a pause) when trickling.</summary>
    public async Task SendAsync(byte[] bytes, bool trickle, CancellationToken cancellationToken)
    {
        if (!trickle)
        {
            await _stream.WriteAsync(bytes, cancellationToken);
            _server.CountSent(bytes.Length);
            return;
        }

        for (var i = 0; i < bytes.Length; i++)
        {
            await _stream.WriteAsync(bytes.AsMemory(i, 1), cancellationToken);
            _server.CountSent(1);
            await Task.Delay(1, cancellationToken);
        }
    }

    public Task SendAsync(string ascii, bool trickle, CancellationToken cancellationToken) =>
        SendAsync(Encoding.UTF8.GetBytes(ascii), trickle, cancellationToken);

    /// <summary>Ends the server's half of the connection (a FIN) and keeps reading: the client sees the target done with
    /// it, while what it still sends is taken without an answer or a reset.</summary>
    public void ShutDownSend() => _socket.Shutdown(SocketShutdown.Send);

    /// <summary>Keeps the connection open, reading (and counting) whatever comes, until the client closes it.</summary>
    public async Task DrainAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[1024];
        int read;
        while ((read = await WaitForClientAsync(_stream.ReadAsync(buffer, cancellationToken))) > 0)
        {
            _server.CountReceived(read);
        }
    }

    // A handler awaiting a read is waiting for the client: not busy (see StubServer.Quiet) until the read ends.
    private async ValueTask<T> WaitForClientAsync<T>(ValueTask<T> read)
    {
        _server.Busy(-1);
        try
        {
            return await read;
        }
        finally
        {
            _server.Busy(1);
        }
    }

    private async ValueTask<int> FillAsync(byte[] buffer, CancellationToken cancellationToken)
    {
        await _stream.ReadExactlyAsync(buffer, cancellationToken);
        return buffer.Length;
    }

    public void Dispose() => _stream.Dispose();
}
