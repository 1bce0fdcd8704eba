using HdrHistogram;
using LoadBench.Engine.Metrics;
using LoadBench.Results;

namespace LoadBench.Engine.Running;

/// <summary>One sampling interval of a phase: its latency histograms and how fast events arrived in it.</summary>
internal readonly record struct PhaseSample(
    TimeSpan Elapsed, HistogramBase Events, HistogramBase Requests, double EventsPerSecond, int Clients)
{
    /// <summary>The results' point for this interval; <paramref name="encodedEvents"/> is <see cref="Events"/> encoded
    /// (passed in, so a caller that also sends it elsewhere encodes it once).</summary>
    public TimeSeriesPoint ToPoint(string encodedEvents) => new()
    {
        T = Math.Round(Elapsed.TotalSeconds, 3),
        EventsPerSecond = EventsPerSecond,
        P50Ms = LatencySummaries.PercentileMs(Events, 50),
        P99Ms = LatencySummaries.PercentileMs(Events, 99),
        Clients = Clients,
        Histogram = encodedEvents,
    };
}

/// <summary>
/// Plays one phase of a load driver and takes one <see cref="PhaseSample"/> per interval — the interval histograms
/// of the recorders and the delivery rate since the last sample — for whoever keeps or shows them: the
/// single-process executor (progress, time series) and a load agent (ticks to the coordinator, time series).
/// </summary>
internal static class PhaseSampler
{
    public static async Task PlayAsync(
        ILoadDriver driver, LatencyRecorders recorders, TimeSpan length, TimeSpan interval, TimeProvider time,
        Func<PhaseSample, Task> onSample, CancellationToken cancellationToken)
    {
        var start = time.GetTimestamp();
        var play = driver.PlayAsync(length, cancellationToken);
        var next = interval;
        var lastEvents = driver.Snapshot().EventsDelivered;
        var lastAt = TimeSpan.Zero;
        using var stopWaiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        while (!play.IsCompleted)
        {
            var wait = next - time.GetElapsedTime(start);
            if (wait > TimeSpan.Zero)
            {
                await Task.WhenAny(play, Task.Delay(wait, time, stopWaiting.Token));
                continue;
            }

            var elapsed = time.GetElapsedTime(start);
            var events = recorders.Event.GetIntervalHistogram();
            var requests = recorders.Request.GetIntervalHistogram();
            var delivered = driver.Snapshot().EventsDelivered;
            var eventsPerSecond = (delivered - lastEvents) / Math.Max(1e-9, (elapsed - lastAt).TotalSeconds);
            await onSample(new PhaseSample(elapsed, events, requests, eventsPerSecond, driver.Clients));
            (lastEvents, lastAt) = (delivered, elapsed);
            next += interval;
        }

        await stopWaiting.CancelAsync();
        await play;
    }
}
