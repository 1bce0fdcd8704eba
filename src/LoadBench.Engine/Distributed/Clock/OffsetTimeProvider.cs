namespace LoadBench.Engine.Distributed.Clock;

/// <summary>
/// An agent's clock corrected to the publisher's time line: wall time (<see cref="GetUtcNow"/>) plus the estimated
/// offset, so a client's receive time minus an event's <c>ts</c> is publish → receive latency even when the two
/// machines' clocks disagree. Timestamps, timers and delays are the inner clock's, untouched: durations need no
/// correction.
/// </summary>
internal sealed class OffsetTimeProvider(TimeProvider inner, TimeSpan offset) : TimeProvider
{
    public TimeSpan Offset { get; } = offset;

    public override DateTimeOffset GetUtcNow() => inner.GetUtcNow() + Offset;

    public override long GetTimestamp() => inner.GetTimestamp();

    public override long TimestampFrequency => inner.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => inner.LocalTimeZone;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        inner.CreateTimer(callback, state, dueTime, period);
}
