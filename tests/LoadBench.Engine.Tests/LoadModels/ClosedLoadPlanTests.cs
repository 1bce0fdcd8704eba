using LoadBench.Engine.LoadModels;
using LoadBench.Engine.Scenarios;

namespace LoadBench.Engine.Tests.LoadModels;

public sealed class ClosedLoadPlanTests
{
    private static TimeSpan S(double seconds) => TimeSpan.FromSeconds(seconds);

    [Fact]
    public void CopiesAt_KeepConstant_IsFlatAndHoldsPastTheEnd()
    {
        var plan = new ClosedLoadPlan([new KeepConstant(7, S(10))]);

        Assert.Equal(7, plan.CopiesAt(S(0)));
        Assert.Equal(7, plan.CopiesAt(S(9.99)));
        Assert.Equal(7, plan.CopiesAt(S(60)));
        Assert.Equal(S(10), plan.Duration);
        Assert.Equal(7, plan.MaxCopies);
    }

    [Fact]
    public void CopiesAt_RampsLinearlyFromThePreviousStep()
    {
        // 5 for 2 s, then 5 → 15 over 10 s, then 15 → 0 over 5 s.
        var plan = new ClosedLoadPlan([new KeepConstant(5, S(2)), new RampingConstant(15, S(10)), new RampingConstant(0, S(5))]);

        Assert.Equal(5, plan.CopiesAt(S(1.9)));
        Assert.Equal(5, plan.CopiesAt(S(2)));
        Assert.Equal(10, plan.CopiesAt(S(7)));     // halfway up
        Assert.Equal(14, plan.CopiesAt(S(11)));    // 5 + 10 · 0.9
        Assert.Equal(15, plan.CopiesAt(S(12)));
        Assert.Equal(8, plan.CopiesAt(S(14.5)));   // 15 − 15 · 0.5 = 7.5, halves round away from zero
        Assert.Equal(0, plan.CopiesAt(S(17)));
        Assert.Equal(S(17), plan.Duration);
        Assert.Equal(15, plan.MaxCopies);
    }

    [Fact]
    public void CopiesAt_FirstRampStartsFromZero()
    {
        var plan = new ClosedLoadPlan([new RampingConstant(100, S(4))]);

        Assert.Equal(0, plan.CopiesAt(S(0)));
        Assert.Equal(25, plan.CopiesAt(S(1)));
        Assert.Equal(100, plan.CopiesAt(S(4)));
    }

    [Fact]
    public void Constructor_OpenStep_IsRefused()
    {
        Assert.Throws<ArgumentException>(() => new ClosedLoadPlan([new Inject(1, S(1), S(1))]));
    }
}
