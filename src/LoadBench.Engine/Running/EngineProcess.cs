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
