namespace LoadBench.Engine.Distributed.Clock;

/// <summary>The publisher's clock minus this machine's, and how far the estimate can be off (half the round trip it
/// came from): the true offset lies in <c>OffsetMicros ± UncertaintyMicros</c>.</summary>
internal readonly record struct ClockOffset(long OffsetMicros, long UncertaintyMicros)
{
    public static ClockOffset Zero => default;
}
