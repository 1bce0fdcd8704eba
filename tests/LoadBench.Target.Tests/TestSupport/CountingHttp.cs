using System.Net.Sockets;

namespace LoadBench.Target.Tests.TestSupport;

/// <summary>A SocketsHttpHandler whose connections are <see cref="CountingStream"/>s, so the test knows its socket bytes.</summary>
public sealed class CountingHttp : IDisposable
{
    private readonly List<CountingStream> _streams = [];

    public CountingHttp()
    {
        Handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                var stream = new CountingStream(new NetworkStream(socket, ownsSocket: true));
                lock (_streams)
                {
                    _streams.Add(stream);
                }

                return stream;
            },
        };
    }

    public SocketsHttpHandler Handler { get; }

    public long BytesRead { get { lock (_streams) { return _streams.Sum(s => s.BytesRead); } } }
    public long BytesWritten { get { lock (_streams) { return _streams.Sum(s => s.BytesWritten); } } }

    public void Dispose() => Handler.Dispose();
}
