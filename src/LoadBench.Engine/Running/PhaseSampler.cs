using HdrHistogram;
using LoadBench.Engine.Metrics;
using LoadBench.Results;

namespace LoadBench.Engine.Running;

/// <summary>One sampling interval of a phase: its latency histograms and how fast events arrived in it. The
/// histograms are the sampler's, valid while the callback runs (they are refilled for a later interval): copy what
/// must outlive it.</summary>
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
        var lastEvents = driver.EventsDelivered();
        var lastAt = TimeSpan.Zero;
        // Each interval histogram is ~190 KB (1 µs .. 1 h at 3 digits: a large-object-heap array): a new pair every
        // second was garbage that only a full collection frees, so the last pair is handed back to be refilled.
        HistogramBase? spareEvents = null, spareRequests = null;
        // Every count read of a recorder's (concurrent) histogram takes a lock, and a sample is read several times
        // (added up, two percentiles, encoded, the live p99): 23,552 counts each, once a second, was most of what
        // engine-profile.sh showed as histogram work. One locked pass copies the interval into a plain histogram,
        // which the sample's readers then read without locks.
        var plainEvents = HistogramCodec.NewHistogram();
        var plainRequests = HistogramCodec.NewHistogram();
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
            var events = spareEvents is null ? recorders.Event.GetIntervalHistogram() : recorders.Event.GetIntervalHistogram(spareEvents);
            var requests = spareRequests is null ? recorders.Request.GetIntervalHistogram() : recorders.Request.GetIntervalHistogram(spareRequests);
            var delivered = driver.EventsDelivered();
            var eventsPerSecond = (delivered - lastEvents) / Math.Max(1e-9, (elapsed - lastAt).TotalSeconds);
            CopyInto(plainEvents, events);
            CopyInto(plainRequests, requests);
            await onSample(new PhaseSample(elapsed, plainEvents, plainRequests, eventsPerSecond, driver.Clients));
            (lastEvents, lastAt) = (delivered, elapsed);
            (spareEvents, spareRequests) = (events, requests); // the sample is done with: recycled next interval
            next += interval;
        }

        await stopWaiting.CancelAsync();
        await play;
    }

    private static void CopyInto(HistogramBase plain, HistogramBase interval)
    {
        plain.Reset();
        if (interval.TotalCount > 0)
        {
            plain.Add(interval);
        }
    }
}
