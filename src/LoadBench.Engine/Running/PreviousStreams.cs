using LoadBench.Contracts;

namespace LoadBench.Engine.Running;

/// <summary>
/// The wait before a scenario's "before" reading of the target: until it has no feed stream or request open, at most
/// <see cref="Bound"/>. Without it, a scenario's "before" heap held the streams of the scenario just closed that the
/// target had not yet torn down: 1,000 SSE streams left 2.7 MiB in the next scenario's baseline (2026-12-01), which
/// made a memory-per-connection figure read low and the plan's memory resolution read 10 MiB. A target shared with
/// other runs may never reach 0: then the wait ends at its bound and the reading is what it was before. Only the previous
/// scenario's transport is waited for: two engines sharing a target with one transport each (fanout-16k.sh) must not
/// wait out the bound on each other's streams, which put their two runs five seconds out of step.
/// </summary>
internal static class PreviousStreams
{
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    /// <returns>True when the target had no connection of <paramref name="transport"/> open; false when
    /// <paramref name="bound"/> passed first.</returns>
    public static async Task<bool> WaitUntilEndedAsync(ITargetApi target, string transport, CancellationToken cancellationToken, TimeSpan? bound = null)
    {
        // Real time, not the run's clock: a test's fake clock must not hold this up.
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var stats = await target.GetStatsAsync(cancellationToken);
            if (!stats.Transports.TryGetValue(transport, out var open) || open.OpenConnections == 0)
            {
                return true;
            }

            if (waited.Elapsed >= (bound ?? Bound))
            {
                return false;
            }

            await Task.Delay(Interval, cancellationToken);
        }
    }
}
