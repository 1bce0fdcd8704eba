using LoadBench.Engine.LoadModels;
using LoadBench.Engine.Scenarios;

namespace LoadBench.Engine.Tests.LoadModels;

public sealed class OpenLoadPlanTests
{
    private static TimeSpan S(double seconds) => TimeSpan.FromSeconds(seconds);

    private static void AssertTimes(IEnumerable<double> expectedSeconds, IEnumerable<TimeSpan> actual)
    {
        var expected = expectedSeconds.ToList();
        var got = actual.ToList();
        Assert.Equal(expected.Count, got.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i], got[i].TotalSeconds, precision: 6);
        }
    }

    [Fact]
    public void Arrivals_Inject_AreEvenlySpaced()
    {
        var plan = new OpenLoadPlan([new Inject(10, S(1), S(3))]);

        AssertTimes(Enumerable.Range(0, 30).Select(k => k * 0.1), plan.Arrivals(plan.Duration));
        Assert.Equal(10, plan.PeakArrivalsPerSecond);
    }

    [Fact]
    public void Arrivals_InjectPerHalfSecond_CountsPerInterval()
    {
        // 5 per 500 ms = 10 per second.
        var plan = new OpenLoadPlan([new Inject(5, TimeSpan.FromMilliseconds(500), S(1))]);

        AssertTimes(Enumerable.Range(0, 10).Select(k => k * 0.1), plan.Arrivals(plan.Duration));
    }

    [Fact]
    public void Arrivals_RampingInjectFromZero_FollowTheIntegratedRate()
    {
        // λ(t) = 10 · t / 2 per second → Λ(t) = 2.5 t²: 10 arrivals, arrival k at √(k / 2.5).
        var plan = new OpenLoadPlan([new RampingInject(10, S(1), S(2))]);

        AssertTimes(Enumerable.Range(0, 10).Select(k => Math.Sqrt(k / 2.5)), plan.Arrivals(plan.Duration));
    }

    [Fact]
    public void Arrivals_RampDownAfterInject_ContinueFromThePreviousRate()
    {
        // 10/s for 1 s (arrivals 0..9), then 10/s → 0 over 2 s: Λ = 10 + 10τ − 2.5τ², 10 more arrivals.
        var plan = new OpenLoadPlan([new Inject(10, S(1), S(1)), new RampingInject(0, S(1), S(2))]);

        var second = Enumerable.Range(10, 10).Select(k =>
        {
            var c = k - 10.0;
            return 1 + ((10 - Math.Sqrt(100 - (10 * c))) / 5); // root of 2.5τ² − 10τ + c = 0
        });
        AssertTimes(Enumerable.Range(0, 10).Select(k => k * 0.1).Concat(second), plan.Arrivals(plan.Duration));
    }

    [Fact]
    public void Arrivals_HorizonBeyondThePlan_ContinueAtTheLastRate()
    {
        var plan = new OpenLoadPlan([new Inject(2, S(1), S(1))]);

        AssertTimes([0, 0.5, 1, 1.5, 2, 2.5], plan.Arrivals(S(3)));
    }

    [Fact]
    public void Arrivals_HorizonShorterThanThePlan_Truncate()
    {
        var plan = new OpenLoadPlan([new Inject(10, S(1), S(10))]);

        Assert.Equal(5, plan.Arrivals(S(0.5)).Count());
    }

    [Fact]
    public void Constructor_ClosedStep_IsRefused()
    {
        Assert.Throws<ArgumentException>(() => new OpenLoadPlan([new KeepConstant(1, S(1))]));
    }
}
