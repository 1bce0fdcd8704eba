using System.Text;
using LoadBench.Target.Stats;
using Microsoft.AspNetCore.Connections;

namespace LoadBench.Target.Hosting;

/// <summary>
/// The target's Kestrel connection middleware. It refuses connections past <see cref="ConnectionLimit"/> with
/// a plain 503 instead of letting the process run out of file descriptors, and attaches the byte counting
/// (<see cref="ConnectionByteCounter"/>) to the ones it admits — after the refusal, so a refusal's bytes are not
/// counted as traffic; the refusal itself is counted in <see cref="FeedStats"/>.
/// <para>
/// One middleware, not a limit middleware and a counting one: each async middleware keeps a frame (about
/// 200 bytes) alive for the connection's whole life, and a subscriber's memory is one of the figures we report.
/// </para>
/// </summary>
internal sealed partial class ConnectionMiddleware(ConnectionLimit limit, FeedStats stats, FeedSockets sockets, TimeProvider time, ILogger<ConnectionMiddleware> logger)
{
    private static readonly ReadOnlyMemory<byte> Refusal = Encoding.ASCII.GetBytes(
        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nContent-Length: 42\r\nConnection: close\r\n\r\n" +
        "connection limit reached; try again later");

    private long _lastRefusalLog;

    /// <param name="connection">The new connection.</param>
    /// <param name="next">The rest of the connection's pipeline.</param>
    /// <param name="scanHeads">False on the HTTP/2 and HTTPS endpoints (<see cref="ProtocolEndpoints.ScansHeads"/>).</param>
    public async Task OnConnectionAsync(ConnectionContext connection, ConnectionDelegate next, bool scanHeads = true)
    {
        if (!limit.TryEnter())
        {
            await RefuseAsync(connection);
            return;
        }

        var counter = ConnectionByteCounter.Attach(connection, stats, scanHeads);
        try
        {
            await next(connection);
        }
        finally
        {
            counter.Close();
            if (counter.CarriedFeed)
            {
                sockets.Remove(connection);
            }

            limit.Exit();
        }
    }

    private async Task RefuseAsync(ConnectionContext connection)
    {
        stats.ConnectionRejected();
        var now = time.GetTimestamp();
        var last = Interlocked.Read(ref _lastRefusalLog);
        if (time.GetElapsedTime(last, now) > TimeSpan.FromSeconds(1) && Interlocked.CompareExchange(ref _lastRefusalLog, now, last) == last)
        {
            LogRefused(logger, limit.Max);
        }

        try
        {
            await connection.Transport.Output.WriteAsync(Refusal);
            await connection.Transport.Output.CompleteAsync();
        }
        catch (IOException)
        {
            // The client left first; nothing to tell it.
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refusing new connections: {Max} are open, the limit under this process's open-file limit. Open ones keep being served.")]
    private static partial void LogRefused(ILogger logger, int max);
}
