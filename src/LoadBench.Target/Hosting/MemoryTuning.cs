namespace LoadBench.Target.Hosting;

/// <summary>
/// What each open subscriber costs the target, made smaller with settings any ASP.NET Core service could use
/// (issue 14; figures in the README's "Tuning", measured by <c>scenarios/bench/memory-per-connection.sh</c>).
/// Nothing here skips work: every event is still framed, written, flushed and counted as before.
/// </summary>
internal static class MemoryTuning
{
    /// <summary>The category of ASP.NET Core's per-request diagnostics (request start/stop logs, the request's
    /// <see cref="System.Diagnostics.Activity"/> and its log scope).</summary>
    internal const string HostingDiagnostics = "Microsoft.AspNetCore.Hosting.Diagnostics";

    public static void Apply(WebApplicationBuilder builder)
    {
        // Kestrel copies every write into a 4 KiB block of its memory pool, and by default a transport thread sends it
        // later. A fan-out writes to thousands of subscribers before those threads catch up, so at each publish about
        // one block per subscriber is out at once — and the pool keeps what it once handed out (it gives back 1 % every
        // 10 s while traffic is steady): 4 KiB per subscriber, held for good. Sending inline, on the writer's own
        // thread, hands each block back before the next subscriber's write, and the pool stays a few blocks deep.
        // "Unsafe" because the app's continuations may then run on a socket thread: the target never blocks in one.
        builder.WebHost.UseSockets(sockets => sockets.UnsafePreferInlineScheduling = true);

        // With any log level enabled for this category, hosting gives every request an Activity and a log scope
        // (about 0.5 KiB with its strings), which a stream keeps for its whole life. The category logs request
        // starts and ends (Information) and startup failures, which the process reports by its exception anyway.
        builder.Logging.AddFilter(HostingDiagnostics, LogLevel.None);
    }
}
