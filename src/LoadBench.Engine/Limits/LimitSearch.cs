using LoadBench.Syntax.Rules;

namespace LoadBench.Engine.Limits;

/// <summary>
/// A scenario entry's <c>search</c> block (scenarios/README.md, "Limit search"): what to vary, over which range,
/// how long each step runs, and the SLO each step must meet.
/// </summary>
/// <param name="Vary"><see cref="Copies"/> or <see cref="Rate"/>.</param>
/// <param name="From">First level tried.</param>
/// <param name="To">Highest level tried.</param>
/// <param name="StepLength">The measured phase of each step (after the scenario's warm-up).</param>
/// <param name="Slo">Absolute rules; a step meets the SLO when every one holds.</param>
internal sealed record LimitSearch(string Vary, double From, double To, TimeSpan StepLength, IReadOnlyList<AbsoluteRule> Slo)
{
    public const string Copies = "copies";
    public const string Rate = "feed.ratePerSecond";

    public static readonly IReadOnlyList<string> Axes = [Copies, Rate];

    /// <summary>Bisection stops when the first failing level is within this share above the last passing one.</summary>
    public const double Tolerance = 0.10;

    /// <summary>Longest step a search may ask for: every step is bounded in time.</summary>
    public static readonly TimeSpan MaxStepLength = TimeSpan.FromMinutes(5);

    /// <summary>The most steps a search can take: ×2 from <see cref="From"/> until past <see cref="To"/>, then
    /// bisection of one doubling down to <see cref="Tolerance"/> (log2(1 / 0.1), rounded up: 4).</summary>
    public int MaxSteps
    {
        get
        {
            var doublings = (int)Math.Ceiling(Math.Log2(To / From) - 1e-9);
            var bisections = (int)Math.Ceiling(Math.Log2(1 / Tolerance));
            return Math.Max(0, doublings) + 1 + bisections;
        }
    }
}
