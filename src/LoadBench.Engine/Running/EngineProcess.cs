using LoadBench.Contracts;
using LoadBench.Engine.Scenarios;

namespace LoadBench.Engine.Running;

/// <summary>
/// Settings of a process whose job is to run the engine (<c>loadbench run</c> and <c>gate</c>). Call
/// <see cref="PreferInlineSocketCompletions"/> first thing in <c>Main</c>, before any socket is used.
/// </summary>
/// <remarks>
/// By default .NET on Linux hands every socket completion from its epoll thread to the thread pool. For a load
/// generator that is one wake-up and context switch per request: perf showed the polling engine's CPU 80% in
/// the kernel, mostly scheduling, with only 11% in managed code, and at 256 connections it reached half of
/// wrk's requests/s on the same target (scenarios/bench/poll-vs-wrk.sh). With
/// <c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1</c> the continuation runs on the epoll thread, as wrk's
/// event loop does, and the engine reached 84–99% of wrk. The runtime reads the variable once, when the process
/// first uses an async socket, so setting it early in Main is enough. It is safe for the engine because nothing
/// in it blocks a thread (a blocking continuation would stall every socket of its epoll thread); never call this
/// in a test host or a process that also serves with blocking code.
/// </remarks>
public static class EngineProcess
{
    public const string InlineCompletionsVariable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <summary>True when <see cref="PreferInlineSocketCompletions"/> set the variable (it was not set before);
    /// <see cref="TargetProcess"/> then keeps it out of the target's environment, so a target the engine starts
    /// runs exactly as one started by hand.</summary>
    internal static bool InlineCompletionsSetHere { get; private set; }

    /// <summary>The runtime setting of how often an idle thread-pool worker spins before it sleeps.</summary>
    internal const string SpinLimitSetting = "System.Threading.ThreadPool.UnfairSemaphoreSpinLimit";

    /// <summary>
    /// Lets idle thread-pool workers sleep at once instead of spinning first, unless the setting is already given
    /// (runtimeconfig or <c>DOTNET_ThreadPool_UnfairSemaphoreSpinLimit</c>). Call first thing in <c>Main</c>: the pool
    /// reads it when it starts its first worker.
    /// </summary>
    /// <remarks>
    /// Why (issue 14, scenarios/bench/engine-profile.sh): with socket completions inline, the engine's pool only runs
    /// timers and the once-a-second sampling, yet each time a worker ran out of work it spun (<c>sched_yield</c>) before
    /// sleeping: 24 % of the SSE and WebSocket engines' samples at 2,000 + 2,000 subscribers and 1 event/s, CPU taken
    /// from the target on a shared machine. A load generator's pool has nothing to gain from the spin: nothing waits on
    /// it per delivery. Only the engine's process: <c>loadbench serve</c> keeps the runtime's default.
    /// </remarks>
    public static void PreferNoThreadPoolSpinning()
    {
        if (AppContext.GetData(SpinLimitSetting) is null && Environment.GetEnvironmentVariable("DOTNET_ThreadPool_UnfairSemaphoreSpinLimit") is null)
        {
            AppContext.SetData(SpinLimitSetting, 0);
        }
    }

    public const string SocketThreadCountVariable = "DOTNET_SYSTEM_NET_SOCKETS_THREAD_COUNT";

    /// <summary>True when <see cref="PreferOneSocketThreadForSparseStreaming"/> set the variable; <see cref="TargetProcess"/>
    /// then keeps it out of the target's environment.</summary>
    internal static bool SocketThreadCountSetHere { get; private set; }

    /// <summary>The most deliveries per second (subscribers × events per second) a scenario may plan for one epoll
    /// thread to be chosen.</summary>
    internal const double OneSocketThreadMaxDeliveriesPerSecond = 50_000;

    /// <summary>
    /// Gives a plan whose every scenario streams (SSE, WebSocket), in the default setup, to a fixed number of subscribers at no more than
    /// <see cref="OneSocketThreadMaxDeliveriesPerSecond"/> one epoll thread instead of one per core, unless the variable
    /// is already set or completions are not inline. Call after the plan is read and before the first socket is used:
    /// the runtime reads the variable once, when it starts its socket engine. Returns whether it was set.
    /// </summary>
    /// <remarks>
    /// Why (issue 14, scenarios/bench/fanout-16k.sh, 8,000 SSE + 8,000 WebSocket subscribers at 1 event/s): with inline
    /// completions the runtime starts one epoll thread per core, and each sleeps and wakes for its share of the sockets
    /// at every event. One thread that takes every socket's events wakes once for many: the engines' CPU per delivery
    /// fell from 9.0 to 7.3 µs and their voluntary context switches per delivery from 0.31 to 0.06. When events come
    /// often the threads never sleep, and a second one is a second core: at 400,000 deliveries/s (broadcast-rate.sh,
    /// 1,000 subscribers) one thread was the engine's bottleneck. Request/response plans keep one thread per core too:
    /// with completions inline a polling engine's every exchange runs on its epoll thread, and wrk, its yardstick,
    /// has two.
    /// </remarks>
    public static bool PreferOneSocketThreadForSparseStreaming(ScenarioPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (plan.Scenarios.Count == 0
            || !plan.Scenarios.All(SuitsOneSocketThread)
            || Environment.GetEnvironmentVariable(SocketThreadCountVariable) is not null
            || Environment.GetEnvironmentVariable(InlineCompletionsVariable) != "1")
        {
            return false;
        }

        Environment.SetEnvironmentVariable(SocketThreadCountVariable, "1");
        SocketThreadCountSetHere = true;
        return true;
    }

    /// <summary>A streaming scenario in the default setup whose peak subscribers × feed rate stays within
    /// <see cref="OneSocketThreadMaxDeliveriesPerSecond"/> (streams only take closed models).</summary>
    internal static bool SuitsOneSocketThread(Scenario scenario)
    {
        // Only the setup the bound was measured with (plain HTTP/1.1, direct): a heartbeat adds pings (and a WebSocket's
        // pongs) the rate does not count, and TLS, compression or HTTP/2 add work per delivery on the one thread.
        if (scenario.Transport is not (TransportIds.Sse or TransportIds.WebSocket) || !scenario.Setup.IsDefault || scenario.Load.Count == 0)
        {
            return false;
        }

        var peakSubscribers = scenario.Load.Max(step => step switch
        {
            KeepConstant keep => keep.Copies,
            RampingConstant ramp => ramp.Copies,
            _ => int.MaxValue,
        });
        return (double)peakSubscribers * scenario.Feed.RatePerSecond <= OneSocketThreadMaxDeliveriesPerSecond;
    }

    /// <summary>Turns on inline socket completions for this process unless the variable is already set (a
    /// person's explicit 0 or 1 wins).</summary>
    public static void PreferInlineSocketCompletions()
    {
        if (Environment.GetEnvironmentVariable(InlineCompletionsVariable) is null)
        {
            Environment.SetEnvironmentVariable(InlineCompletionsVariable, "1");
            InlineCompletionsSetHere = true;
        }
    }
}
