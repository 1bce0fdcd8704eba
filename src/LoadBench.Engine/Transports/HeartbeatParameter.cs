using System.Globalization;
using LoadBench.Contracts;

namespace LoadBench.Engine.Transports;

/// <summary>The streams' <c>&amp;heartbeatMs=</c> from the scenario's heartbeat; empty when it is off, so the target
/// sends no heartbeat at all (the target has none by default).</summary>
internal static class HeartbeatParameter
{
    public static string Query(Scenarios.ConnectionSetup setup)
    {
        ArgumentNullException.ThrowIfNull(setup);
        return setup.Heartbeat is { } interval
            ? string.Concat("&", FeedRoutes.HeartbeatQuery, "=", ((long)interval.TotalMilliseconds).ToString(CultureInfo.InvariantCulture))
            : "";
    }
}
