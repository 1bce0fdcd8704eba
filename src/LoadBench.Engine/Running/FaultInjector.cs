using LoadBench.Contracts;
using LoadBench.Engine.Metrics;
using LoadBench.Engine.Scenarios;
using LoadBench.Results;

namespace LoadBench.Engine.Running;

/// <summary>
/// The scenario's <c>faults</c> block at run time: each fault posted to the target at its offset from the measured
/// phase's start; and afterwards, the target's own list of faults placed on the phase's time axis.
/// </summary>
internal static class FaultInjector
{
    /// <summary>Posts every fault at <see cref="ScenarioFault.At"/> after <paramref name="phaseStart"/> (a timestamp of
    /// <paramref name="time"/>). A fault the target refuses is counted as <see cref="SchedulerErrors.FaultFailed"/>
    /// in <paramref name="errors"/>, not thrown: the run goes on and the report says so.</summary>
    public static async Task RunAsync(
        IReadOnlyList<ScenarioFault> faults, ITargetApi target, long phaseStart, TimeProvider time, ClientCounters errors,
        CancellationToken cancellationToken)
    {
        foreach (var fault in faults.OrderBy(f => f.At))
        {
            var wait = fault.At - time.GetElapsedTime(phaseStart);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, time, cancellationToken);
            }

            try
            {
                await target.PostFaultAsync(fault.ToRequest(), cancellationToken);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested
                && e is HttpRequestException or InvalidOperationException or OperationCanceledException or System.Text.Json.JsonException)
            {
                errors.Error(SchedulerErrors.FaultFailed);
            }
        }
    }

    /// <summary>
    /// The faults whose period overlaps [<paramref name="windowStart"/>, <paramref name="windowEnd"/>] — the scenario's
    /// own and any posted by hand meanwhile — in seconds from <paramref name="windowStart"/>, in start order; null when
    /// there are none. The target stamps faults with its clock and the engine stamps the window with its own: both
    /// read the same machine's wall clock (the target is on loopback).
    /// </summary>
    public static IReadOnlyList<FaultPeriod>? Periods(IReadOnlyList<FaultRecord> records, DateTimeOffset windowStart, DateTimeOffset windowEnd)
    {
        ArgumentNullException.ThrowIfNull(records);
        var start = UnixMicros(windowStart);
        var end = UnixMicros(windowEnd);
        var periods = records
            .Where(r => Math.Max(r.EndUnixMicros, r.StartUnixMicros) >= start && r.StartUnixMicros <= end)
            .OrderBy(r => r.StartUnixMicros)
            .ThenBy(r => r.Id)
            .Select(r => new FaultPeriod
            {
                Kind = r.Kind,
                Fraction = r.Fraction,
                StartSeconds = Seconds(r.StartUnixMicros - start),
                EndSeconds = Seconds(Math.Max(r.EndUnixMicros, r.StartUnixMicros) - start),
            })
            .ToList();
        return periods.Count > 0 ? periods : null;
    }

    private static long UnixMicros(DateTimeOffset at) => (at.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / TimeSpan.TicksPerMicrosecond;

    private static double Seconds(long micros) => Math.Round(micros / 1e6, 3);
}
