using Microsoft.Extensions.Time.Testing;

namespace LoadBench.Engine.Tests.TestSupport;

/// <summary>
/// Runs code that waits on a <see cref="FakeTimeProvider"/> to its end without sleeping: the clock moves one
/// millisecond at a time, and only after the code did everything it could at the current instant (none of it
/// running or about to run on the thread pool). The code sees time pass as on an infinitely fast machine, so what
/// a test asserts about time (phases, ticks, latencies from an intended start) does not depend on how busy the
/// machine is.
/// </summary>
/// <remarks>
/// A fake clock's timers fire inside <see cref="FakeTimeProvider.Advance(TimeSpan)"/>, and the code awaiting them
/// goes on right there, on the thread that advances: a dedicated thread without a synchronization context, so what
/// that code awaits next continues on the thread pool. Three readings together tell whether any of it is left:
/// <list type="bullet">
/// <item>threads running it: the code carries an <see cref="AsyncLocal{T}"/> in its execution context (which flows
/// through every await, Task.Run and cancellation callback), and the runtime reports each thread entering or
/// leaving that context;</item>
/// <item>work items queued (<see cref="ThreadPool.PendingWorkItemCount"/>);</item>
/// <item>pool threads at work beyond those busy with other things (the test host keeps some blocked): this covers
/// a work item a thread took from the queue but has not started yet.</item>
/// </list>
/// Tests that use this belong to <see cref="FakeClockGroup"/>: they run alone, so the pool is theirs.
/// </remarks>
internal static class FakeClock
{
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(1);

    private static readonly AsyncLocal<Activity?> Current = new(OnContextChanged);

    /// <summary>Starts <paramref name="code"/> on the thread pool and advances <paramref name="time"/> until the
    /// task it returns completes; fails when it did not within <paramref name="limit"/> of fake time.</summary>
    public static Task<T> RunAsync<T>(this FakeTimeProvider time, Func<Task<T>> code, TimeSpan limit) =>
        Task.Factory.StartNew(() => Drive(time, code, limit), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private static T Drive<T>(FakeTimeProvider time, Func<Task<T>> code, TimeSpan limit)
    {
        var end = time.GetUtcNow() + limit;
        var activity = new Activity();
        var run = Task.Run(() =>
        {
            Current.Value = activity;
            return code();
        });
        while (true)
        {
            activity.WaitUntilSettled();
            if (run.IsCompleted)
            {
                return run.GetAwaiter().GetResult();
            }

            if (time.GetUtcNow() >= end)
            {
                throw new TimeoutException($"Still running after {limit} on the fake clock.");
            }

            time.Advance(Step);
        }
    }

    /// <summary>Counts the threads that run in a context carrying an <see cref="Activity"/>, as they enter and leave.</summary>
    private static void OnContextChanged(AsyncLocalValueChangedArgs<Activity?> change)
    {
        if (change.PreviousValue is { } left)
        {
            Interlocked.Decrement(ref left.Running);
        }

        if (change.CurrentValue is { } entered)
        {
            Interlocked.Increment(ref entered.Running);
        }
    }

    private static int BusyPoolThreads()
    {
        ThreadPool.GetMaxThreads(out var max, out _);
        ThreadPool.GetAvailableThreads(out var available, out _);
        return max - available;
    }

    /// <summary>The driven code's threads, and what the pool does besides.</summary>
    private sealed class Activity
    {
        // Real time one settling may take; past it the clock moves on anyway, as real time would.
        private const int MaxSettleMs = 2_000;

        // Real time extra busy pool threads may stay busy while none of the code runs or is queued before they are
        // taken for someone else's: a taken work item starts within microseconds unless its thread is preempted.
        private const int ForeignAfterMs = 500;

        public int Running;

        // Pool threads busy with other code (learned: the least seen, raised when extra ones stay busy). It starts
        // from the least seen over a few milliseconds, not one reading: a thread of an earlier test still finishing
        // when this one starts would otherwise count as foreign, and one of the driven code's own hand-offs could
        // then hide behind it and let the clock move on under the code.
        private int _foreign = LeastBusyPoolThreads();

        private static int LeastBusyPoolThreads()
        {
            var least = BusyPoolThreads();
            for (var i = 0; i < 20 && least > 0; i++)
            {
                Thread.Sleep(1);
                least = Math.Min(least, BusyPoolThreads());
            }

            return least;
        }

        /// <summary>Returns once the code was seen settled twice in a row, or after <see cref="MaxSettleMs"/>.</summary>
        public void WaitUntilSettled()
        {
            var started = Environment.TickCount64;
            var extraSince = -1L;
            var settled = 0;
            while (settled < 2 && Environment.TickCount64 - started < MaxSettleMs)
            {
                // Busy threads, then the code's threads, then the queue: work handed from one item to the next is
                // queued before its first thread leaves, and counted busy from before it leaves the queue.
                var busy = BusyPoolThreads();
                var quiet = Volatile.Read(ref Running) == 0 && ThreadPool.PendingWorkItemCount == 0;
                if (!quiet)
                {
                    (settled, extraSince) = (0, -1);
                }
                else if (busy <= _foreign)
                {
                    _foreign = busy;
                    settled++;
                }
                else if (extraSince < 0)
                {
                    (settled, extraSince) = (0, Environment.TickCount64);
                }
                else if (Environment.TickCount64 - extraSince > ForeignAfterMs)
                {
                    _foreign = busy;
                }

                Thread.Yield();
            }
        }
    }
}

/// <summary>Tests on <see cref="FakeClock"/>: run one at a time, after the tests that run in parallel.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FakeClockGroup
{
    public const string Name = "fake clock";
}
