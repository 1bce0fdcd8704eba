using Microsoft.AspNetCore.Connections;

namespace LoadBench.Target.Stats;

/// <summary>
/// Kestrel connection middleware: wraps each connection's transport so every byte read and written on the
/// socket is counted (real bytes, not estimates).
/// </summary>
internal sealed class ConnectionCountingMiddleware(FeedStats stats)
{
    public async Task OnConnectionAsync(ConnectionContext connection, ConnectionDelegate next)
    {
        var counter = new ConnectionByteCounter(stats);
        connection.Transport = new CountingDuplexPipe(connection.Transport, counter);
        connection.Items[ConnectionByteCounter.ItemKey] = counter;
        try
        {
            await next(connection);
        }
        finally
        {
            counter.Close();
        }
    }
}
