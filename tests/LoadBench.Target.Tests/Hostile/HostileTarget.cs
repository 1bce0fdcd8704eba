namespace LoadBench.Target.Tests.Hostile;

/// <summary>The target every hostile case runs against: with a control token, and the timeouts shortened so
/// slow clients are refused within the test's time (the shipped values are in the README's "Safe defaults").</summary>
internal static class HostileTarget
{
    public const string Token = "catalogue-0123456789abcdef";

    public static Task<RunningTarget> StartAsync() => RunningTarget.StartAsync(
        ["--control-token", Token],
        options => options.Limits = options.Limits with
        {
            RequestHeadersTimeout = TimeSpan.FromSeconds(1),
            // Kestrel wants the grace period longer than its 1 s heartbeat.
            MinRequestBodyGrace = TimeSpan.FromSeconds(1.5),
            WebSocketCloseDrain = TimeSpan.FromSeconds(1),
        },
        CancellationToken.None);
}
