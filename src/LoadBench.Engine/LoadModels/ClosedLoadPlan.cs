using LoadBench.Engine.Scenarios;

namespace LoadBench.Engine.LoadModels;

/// <summary>
/// A closed load (<see cref="KeepConstant"/>, <see cref="RampingConstant"/>) as a function of time: how many
/// clients should run <c>t</c> into the phase. The scheduler asks every tick and starts or stops copies to match.
/// </summary>
internal sealed class ClosedLoadPlan
{
    private readonly List<Segment> _segments = [];

    public ClosedLoadPlan(IReadOnlyList<LoadSimulation> steps)
    {
        ArgumentNullException.ThrowIfNull(steps);
        var start = TimeSpan.Zero;
        var level = 0;
        foreach (var step in steps)
        {
            var (from, to) = step switch
            {
                KeepConstant k => (k.Copies, k.Copies),
                // A ramp starts where the previous step ended: 0 before the first step, as in NBomber.
                RampingConstant r => (level, r.Copies),
                _ => throw new ArgumentException($"{step.Model} is an open model; a closed plan takes KeepConstant and RampingConstant only.", nameof(steps)),
            };
            _segments.Add(new Segment(start, step.During, from, to));
            start += step.During;
            level = to;
        }

        if (_segments.Count == 0)
        {
            throw new ArgumentException("A load plan needs at least one step.", nameof(steps));
        }

        Duration = start;
        MaxCopies = _segments.Max(s => Math.Max(s.From, s.To));
    }

    public TimeSpan Duration { get; }

    /// <summary>The most copies the plan ever asks for.</summary>
    public int MaxCopies { get; }

    /// <summary>
    /// Copies wanted at <paramref name="elapsed"/>: constant within a KeepConstant step; within a ramp,
    /// <c>from + (to − from) · t / during</c> rounded to the nearest integer (halves away from zero). Past the
    /// end, the last level holds (a warm-up longer than the plan keeps its final load).
    /// </summary>
    public int CopiesAt(TimeSpan elapsed)
    {
        foreach (var segment in _segments)
        {
            if (elapsed < segment.Start + segment.During)
            {
                var fraction = Math.Max(0, (elapsed - segment.Start) / segment.During);
                return (int)Math.Round(segment.From + ((segment.To - segment.From) * fraction), MidpointRounding.AwayFromZero);
            }
        }

        return _segments[^1].To;
    }

    private sealed record Segment(TimeSpan Start, TimeSpan During, int From, int To);
}
