using System.Net;
using System.Net.Sockets;

namespace LoadBench.Engine.Tests.TestSupport;

/// <summary>
/// A TCP relay between the engine's clients and a proxy that counts every byte crossing it, each way: an independent
/// count of the client leg's socket bytes — TLS records, HTTP/2 frames and all — which the engine's own count must
/// equal exactly. One front (a listener) per upstream port, in the order they were first asked for, so scenarios run
/// one after another through their own nginx each get their own count.
/// </summary>
internal sealed class CountingRelay : IAsyncDisposable
{
    private readonly List<Front> _fronts = [];
    private readonly CancellationTokenSource _stop = new();

    /// <summary>Every front so far, in the order of their first use.</summary>
    public IReadOnlyList<Front> Fronts
    {
        get
        {
            lock (_fronts)
            {
                return [.. _fronts];
            }
        }
    }

    /// <summary><paramref name="upstream"/> with the port of its front (started on first use): same scheme and host.</summary>
    public Uri Through(Uri upstream)
    {
        ArgumentNullException.ThrowIfNull(upstream);
        lock (_fronts)
        {
            var front = _fronts.FirstOrDefault(f => f.UpstreamPort == upstream.Port);
            if (front is null)
            {
                front = new Front(upstream.Port, _stop.Token);
                _fronts.Add(front);
            }

            return new UriBuilder(upstream) { Port = front.Port }.Uri;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        foreach (var front in Fronts)
        {
            front.Stop();
        }

        _stop.Dispose();
    }

    /// <summary>One listener in front of one upstream port, with its byte counts.</summary>
    internal sealed class Front
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private long _fromClients;
        private long _toClients;
        private int _open;
        private int _accepted;

        public Front(int upstreamPort, CancellationToken stop)
        {
            UpstreamPort = upstreamPort;
            _listener.Start();
            Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
            _ = AcceptAsync(stop);
        }

        public int UpstreamPort { get; }
        public int Port { get; }

        /// <summary>Bytes the clients wrote (what the relay read from them).</summary>
        public long FromClients => Interlocked.Read(ref _fromClients);

        /// <summary>Bytes the relay wrote to the clients.</summary>
        public long ToClients => Interlocked.Read(ref _toClients);

        public int Open => Volatile.Read(ref _open);
        public int Accepted => Volatile.Read(ref _accepted);

        public void Stop() => _listener.Stop();

        private async Task AcceptAsync(CancellationToken stop)
        {
            while (!stop.IsCancellationRequested)
            {
                Socket client;
                try
                {
                    client = await _listener.AcceptSocketAsync(stop);
                }
                catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
                {
                    return;
                }

                Interlocked.Increment(ref _open);
                Interlocked.Increment(ref _accepted);
                _ = RelayAsync(client);
            }
        }

        private async Task RelayAsync(Socket client)
        {
            using var upstream = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            client.NoDelay = true;
            try
            {
                await upstream.ConnectAsync(IPAddress.Loopback, UpstreamPort);
                // What a client wrote counts once read here (it left the client); what goes to a client once written
                // to its socket (a write that fails never reached it).
                await Task.WhenAll(PumpAsync(client, upstream, n => Interlocked.Add(ref _fromClients, n), _ => { }),
                    PumpAsync(upstream, client, _ => { }, n => Interlocked.Add(ref _toClients, n)));
            }
            catch (SocketException)
            {
                // A side reset the connection: what crossed before is counted.
            }
            finally
            {
                client.Dispose();
                Interlocked.Decrement(ref _open);
            }
        }

        /// <summary>Copies until <paramref name="from"/> ends, counting each chunk as read and as written on; then
        /// passes the end on (half-close), as the two sides would see it without the relay.</summary>
        private static async Task PumpAsync(Socket from, Socket to, Action<int> read, Action<int> written)
        {
            var buffer = new byte[64 * 1024];
            try
            {
                int n;
                while ((n = await from.ReceiveAsync(buffer, SocketFlags.None)) > 0)
                {
                    read(n);
                    for (var sent = 0; sent < n;)
                    {
                        sent += await to.SendAsync(buffer.AsMemory(sent, n - sent), SocketFlags.None);
                    }

                    written(n);
                }

                to.Shutdown(SocketShutdown.Send);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                // Reset or closed: stop this direction; the other ends on its own.
                try
                {
                    to.Shutdown(SocketShutdown.Both);
                }
                catch (Exception f) when (f is SocketException or ObjectDisposedException)
                {
                }
            }
        }
    }
}
