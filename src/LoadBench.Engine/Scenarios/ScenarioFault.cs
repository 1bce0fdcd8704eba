using LoadBench.Contracts;

namespace LoadBench.Engine.Scenarios;

/// <summary>
/// One entry of a scenario's <c>faults</c> block: a fault the runner asks the target to inject into itself
/// (<c>POST /feed/faults</c>) <see cref="At"/> after the measured phase began.
/// </summary>
/// <param name="At">Offset from the measured phase's start; within the phase.</param>
/// <param name="Kind">One of <see cref="FaultKinds.All"/>.</param>
/// <param name="Fraction">abort and stall: the share of connections hit, (0, 1]; null for the other kinds.</param>
/// <param name="Duration">abort, stall and pause: how long the fault lasts (it must end inside the measured phase);
/// null for drop-all and restart, which happen once.</param>
public sealed record ScenarioFault(TimeSpan At, string Kind, double? Fraction = null, TimeSpan? Duration = null)
{
    /// <summary>The kinds that take a <see cref="Fraction"/>.</summary>
    internal static bool TakesFraction(string kind) => kind is FaultKinds.Abort or FaultKinds.Stall;

    /// <summary>The kinds that take a <see cref="Duration"/>.</summary>
    internal static bool TakesDuration(string kind) => kind is FaultKinds.Abort or FaultKinds.Stall or FaultKinds.Pause;

    /// <summary>The request that injects it.</summary>
    internal FaultRequest ToRequest() =>
        new(Kind, Fraction, Duration is { } d ? (int)Math.Round(d.TotalMilliseconds) : null);

    /// <summary>As written in a report or an error: <c>abort 1 % for 60s at 10s</c>.</summary>
    public string Describe() =>
        string.Concat(
            Kind,
            Fraction is { } f ? FormattableString.Invariant($" {f * 100:0.###} %") : "",
            Duration is { } d ? FormattableString.Invariant($" for {d.TotalSeconds:0.###}s") : "",
            FormattableString.Invariant($" at {At.TotalSeconds:0.###}s"));
}
