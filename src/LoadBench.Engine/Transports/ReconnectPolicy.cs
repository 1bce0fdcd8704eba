namespace LoadBench.Engine.Transports;

/// <summary>
/// How a client backs off before reconnecting (<see cref="Backoff"/>): the nominal wait doubles from
/// <see cref="InitialDelay"/> per failure up to <see cref="MaxDelay"/>; with <see cref="ReconnectJitter.Full"/> the
/// wait is a random point in [0, nominal) — "full jitter" — so clients dropped together come back spread over
/// the whole window instead of in one burst. A scenario file's <c>reconnect</c> block sets it.
/// </summary>
internal sealed record ReconnectPolicy(TimeSpan InitialDelay, TimeSpan MaxDelay, ReconnectJitter Jitter)
{
    /// <summary>Longest <see cref="MaxDelay"/> a scenario may set: a client must find a recovered target within a run.</summary>
    public static readonly TimeSpan MostDelay = TimeSpan.FromMinutes(1);

    /// <summary>
    /// 25 ms doubling up to 1 s, full jitter: the scale the clients always used (so a recovered target is
    /// found again as quickly as before), with the spread a storm needs.
    /// </summary>
    public static ReconnectPolicy Default { get; } = new(TimeSpan.FromMilliseconds(25), TimeSpan.FromSeconds(1), ReconnectJitter.Full);
}

/// <summary>How the back-off's wait is drawn from its nominal value.</summary>
internal enum ReconnectJitter
{
    /// <summary>A random wait in [0, nominal): AWS's "full jitter".</summary>
    Full,

    /// <summary>Exactly the nominal wait: every client dropped together comes back together (for comparison).</summary>
    None,
}
