using System.Diagnostics;
using System.Globalization;

namespace LoadBench.Engine.Distributed.Agent;

/// <summary>
/// TEST ONLY — never set in real use. With the environment variable <c>LOADBENCH_TEST_STARVE_POOL=AFTER:FOR</c>
/// (seconds), an agent, AFTER seconds after its first scenario starts, fills its own .NET thread pool with blocked
/// work items for FOR seconds: the state an agent with thousands of busy clients reaches on an overloaded machine,
/// made certain. The end-to-end test uses it to show that such an agent is not taken for lost and does not take its
/// coordinator for lost (its liveness runs on a thread of its own, see <see cref="Liveness.LivenessLine"/>). Read
/// here, in the agent, and nowhere else; once per process.
/// </summary>
internal static class TestOnlyPoolStarvation
{
    public const string Variable = "LOADBENCH_TEST_STARVE_POOL";

    private static int _armed;

    public static void ArmIfAsked(string agent, IProgress<string>? log)
    {
        if (Environment.GetEnvironmentVariable(Variable) is not { Length: > 0 } value || Interlocked.Exchange(ref _armed, 1) == 1)
        {
            return;
        }

        var parts = value.Split(':');
        if (parts.Length != 2
            || !double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var after)
            || !double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var duration)
            || after is < 0 or > 600 || duration is <= 0 or > 60)
        {
            log?.Report($"agent {agent}: test-only {Variable}='{value}' ignored: expected AFTER:FOR in seconds (0-600, 0-60)");
            return;
        }

        // A thread of its own: the pool it is about to starve cannot be the one that wakes it.
        new Thread(() => Starve(agent, TimeSpan.FromSeconds(after), TimeSpan.FromSeconds(duration), log)) { IsBackground = true, Name = "test-only pool starvation" }.Start();
    }

    private static void Starve(string agent, TimeSpan after, TimeSpan duration, IProgress<string>? log)
    {
        Thread.Sleep(after);
        using var release = new ManualResetEventSlim();
        // Far more blockers than the pool adds threads in `duration` (about two a second when starved), so every
        // pool thread, old and new, is taken until the release.
        var blockers = 64 + (int)(Environment.ProcessorCount * 8 * duration.TotalSeconds);
        // Disposed only once every blocker has returned: a pool thread may take a blocker off the queue just before
        // the probe below and call Wait after the probe ran (a Wait on a disposed event crashed the agent, which was
        // then rightly taken for lost).
        using var returned = new CountdownEvent(blockers);
        for (var i = 0; i < blockers; i++)
        {
            ThreadPool.UnsafeQueueUserWorkItem(_ =>
            {
                release.Wait(duration + TimeSpan.FromSeconds(5));
                returned.Signal();
            }, null);
        }

        // The proof it worked: a work item queued now, behind the blockers, and how long it waited.
        var queued = Stopwatch.GetTimestamp();
        using var probed = new ManualResetEventSlim();
        var waited = TimeSpan.Zero;
        ThreadPool.UnsafeQueueUserWorkItem(_ =>
        {
            waited = Stopwatch.GetElapsedTime(queued);
            probed.Set();
        }, null);
        Thread.Sleep(duration);
        release.Set();
        probed.Wait(TimeSpan.FromSeconds(30));
        returned.Wait(TimeSpan.FromSeconds(30));
        log?.Report($"agent {agent}: test-only thread-pool starvation over: a work item queued behind {blockers} blockers waited {waited.TotalSeconds:0.0} s");
    }
}
