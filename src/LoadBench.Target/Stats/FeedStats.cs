using System.Diagnostics;
using LoadBench.Contracts;

namespace LoadBench.Target.Stats;

/// <summary>The counters of every transport, and the process's own cost, for <c>GET /stats</c>.</summary>
public sealed class FeedStats
{
    private long _rejectedConnections;

    public TransportCounters Polling { get; } = new(TransportIds.Polling);
    public TransportCounters LongPolling { get; } = new(TransportIds.LongPolling);
    public TransportCounters Sse { get; } = new(TransportIds.Sse);
    public TransportCounters WebSocket { get; } = new(TransportIds.WebSocket);
    public TransportCounters Other { get; } = new(TransportIds.Other);

    /// <summary>The transport a request belongs to, from its path (before routing, so every byte is attributed).</summary>
    public TransportCounters ForPath(PathString path)
    {
        var value = path.Value;
        return value switch
        {
            FeedRoutes.Poll => Polling,
            FeedRoutes.LongPoll => LongPolling,
            FeedRoutes.Sse => Sse,
            FeedRoutes.WebSocket => WebSocket,
            _ => Other,
        };
    }

    public void ConnectionRejected() => Interlocked.Increment(ref _rejectedConnections);

    public StatsSnapshot Snapshot()
    {
        var transports = new Dictionary<string, TransportStats>(StringComparer.Ordinal);
        foreach (var counters in new[] { Polling, LongPolling, Sse, WebSocket, Other })
        {
            transports[counters.TransportId] = counters.Snapshot();
        }

        using var process = Process.GetCurrentProcess();
        var processStats = new ProcessStats(
            process.TotalProcessorTime.TotalMilliseconds, process.WorkingSet64,
            GC.GetTotalMemory(forceFullCollection: false), Environment.ProcessorCount);
        return new StatsSnapshot(transports, processStats, Volatile.Read(ref _rejectedConnections));
    }
}
