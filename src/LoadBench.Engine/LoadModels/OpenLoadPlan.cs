using LoadBench.Engine.Scenarios;

namespace LoadBench.Engine.LoadModels;

/// <summary>
/// An open load (<see cref="Inject"/>, <see cref="RampingInject"/>) as planned arrival times. The arrival rate
/// λ(t) (per second) is constant in an Inject step and linear in a RampingInject step (from the previous
/// step's rate, 0 before the first); arrival <c>k</c> (k = 0, 1, …) is planned where the cumulative count
/// Λ(t) = ∫λ reaches <c>k</c>. Inject(rate: 10, interval: 1s) therefore plans arrivals at 0, 0.1 s, 0.2 s, …:
/// evenly spaced, never in bursts at interval boundaries.
/// </summary>
internal sealed class OpenLoadPlan
{
    private const double Epsilon = 1e-9;
    private readonly List<Segment> _segments = [];

    public OpenLoadPlan(IReadOnlyList<LoadSimulation> steps)
    {
        ArgumentNullException.ThrowIfNull(steps);
        var start = 0.0;
        var rate = 0.0;
        foreach (var step in steps)
        {
            var (from, to) = step switch
            {
                Inject i => (PerSecond(i.Rate, i.Interval), PerSecond(i.Rate, i.Interval)),
                RampingInject r => (rate, PerSecond(r.Rate, r.Interval)),
                _ => throw new ArgumentException($"{step.Model} is a closed model; an open plan takes Inject and RampingInject only.", nameof(steps)),
            };
            var during = step.During.TotalSeconds;
            _segments.Add(new Segment(start, during, from, to));
            start += during;
            rate = to;
        }

        if (_segments.Count == 0)
        {
            throw new ArgumentException("A load plan needs at least one step.", nameof(steps));
        }

        Duration = TimeSpan.FromSeconds(start);
        PeakArrivalsPerSecond = _segments.Max(s => Math.Max(s.From, s.To));
    }

    public TimeSpan Duration { get; }

    /// <summary>The highest arrival rate the plan reaches, per second.</summary>
    public double PeakArrivalsPerSecond { get; }

    /// <summary>
    /// Planned arrival offsets from the start of the phase, in order, up to (not including)
    /// <paramref name="horizon"/>. Past the plan's end the last rate continues (for a warm-up longer than the plan).
    /// </summary>
    public IEnumerable<TimeSpan> Arrivals(TimeSpan horizon)
    {
        var limit = horizon.TotalSeconds;
        var segments = _segments.ToList();
        var last = segments[^1];
        if (limit > last.Start + last.During)
        {
            var tailStart = last.Start + last.During;
            segments.Add(new Segment(tailStart, limit - tailStart, last.To, last.To));
        }

        var cumulative = 0.0; // Λ at the start of the current segment
        long k = 0;
        foreach (var segment in segments)
        {
            if (segment.Start >= limit)
            {
                yield break;
            }

            // Λ within the segment: b·τ + a·τ², τ = time since the segment started.
            var b = segment.From;
            var a = (segment.To - segment.From) / (2 * segment.During);
            var end = cumulative + (b * segment.During) + (a * segment.During * segment.During);
            for (; k < end - Epsilon; k++)
            {
                var c = k - cumulative;
                var tau = c <= 0 ? 0 : SolveQuadratic(a, b, c);
                var at = segment.Start + tau;
                if (at >= limit)
                {
                    yield break;
                }

                yield return TimeSpan.FromTicks((long)Math.Round(at * TimeSpan.TicksPerSecond));
            }

            cumulative = end;
        }
    }

    /// <summary>τ ≥ 0 with a·τ² + b·τ = c, in the form that stays exact when a is 0 or negative (a ramp down).</summary>
    private static double SolveQuadratic(double a, double b, double c) => 2 * c / (b + Math.Sqrt(Math.Max(0, (b * b) + (4 * a * c))));

    private static double PerSecond(int rate, TimeSpan interval) => rate / interval.TotalSeconds;

    private sealed record Segment(double Start, double During, double From, double To);
}
