using LoadBench.Contracts;
using LoadBench.Target.Feed;
using LoadBench.Target.Stats;

namespace LoadBench.Target.Faults;

/// <summary>
/// Injects faults into the target (<c>POST /feed/faults</c>) and remembers them (<c>GET /feed/faults</c>): the
/// last <see cref="Kept"/>, by the target's clock, so a report can mark their periods.
/// </summary>
public sealed partial class FeedFaults(FeedLog log, FeedConnections connections, FeedSockets sockets, TimeProvider time, ILogger<FeedFaults> logger) : IDisposable
{
    /// <summary>How many fault records are kept: enough for a day of one fault a minute, bounded whatever a client sends.</summary>
    public const int Kept = 1_000;

    private readonly Lock _lock = new();
    private readonly Queue<FaultRecord> _records = new();
    private readonly HashSet<AbortFault> _aborts = [];
    private int _nextId = 1;
    private bool _disposed;

    /// <summary>Every fault so far (the last <see cref="Kept"/>), oldest first.</summary>
    public FaultRecord[] Records()
    {
        lock (_lock)
        {
            return [.. _records];
        }
    }

    /// <summary>Injects a fault now. The request must be valid (<see cref="FaultValidation.Problem"/>).</summary>
    internal FaultRecord Inject(FaultRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var duration = TimeSpan.FromMilliseconds(request.DurationMs ?? 0);
        var start = time.GetUtcNow();
        var end = start + duration;
        switch (request.Kind)
        {
            case FaultKinds.Abort:
                StartAbort(request.Fraction!.Value, duration);
                break;
            case FaultKinds.Stall:
                Stall(request.Fraction!.Value, duration);
                break;
            case FaultKinds.Pause:
                // The log takes the start under its publish lock, so no scheduled event's ts falls inside the pause.
                (start, end) = log.PausePublisher(duration);
                break;
            case FaultKinds.DropAll:
                connections.AbortAll();
                break;
            case FaultKinds.Restart:
                log.Restart();
                break;
            default:
                throw new ArgumentException($"Unknown fault kind '{request.Kind}'.", nameof(request));
        }

        var record = Remember(request, start, end);
        LogInjected(logger, record.Id, record.Kind, record.Fraction, request.DurationMs ?? 0);
        return record;
    }

    private void StartAbort(double fraction, TimeSpan duration)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _aborts.Add(new AbortFault(sockets, fraction, duration, time, Ended));
        }

        void Ended(AbortFault fault)
        {
            lock (_lock)
            {
                _aborts.Remove(fault);
            }
        }
    }

    /// <summary>
    /// Holds the writes of round(fraction × n) of the n streaming subscribers open now, chosen at random, until
    /// one timer (the stall's, not one per subscriber) fires. Their followers wait with them: nothing is dropped.
    /// </summary>
    private void Stall(double fraction, TimeSpan duration)
    {
        var streaming = connections.Streaming();
        var count = (int)Math.Round(fraction * streaming.Count, MidpointRounding.AwayFromZero);
        var end = Task.Delay(duration, time);
        foreach (var connection in FeedConnections.PickRandom(streaming, count, Random.Shared))
        {
            connection.Stall(end);
        }
    }

    private FaultRecord Remember(FaultRequest request, DateTimeOffset start, DateTimeOffset end)
    {
        lock (_lock)
        {
            var record = new FaultRecord(_nextId++, request.Kind, request.Fraction, UnixMicros(start), UnixMicros(end));
            _records.Enqueue(record);
            while (_records.Count > Kept)
            {
                _records.Dequeue();
            }

            return record;
        }
    }

    public void Dispose()
    {
        AbortFault[] running;
        lock (_lock)
        {
            _disposed = true;
            running = [.. _aborts];
            _aborts.Clear();
        }

        foreach (var fault in running)
        {
            fault.Dispose();
        }
    }

    private static long UnixMicros(DateTimeOffset time) => (time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;

    [LoggerMessage(Level = LogLevel.Information, Message = "Fault {Id}: {Kind} (fraction {Fraction}, {DurationMs} ms)")]
    private static partial void LogInjected(ILogger logger, int id, string kind, double? fraction, int durationMs);
}
