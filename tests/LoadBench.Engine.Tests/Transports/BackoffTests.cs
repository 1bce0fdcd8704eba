using LoadBench.Engine.Transports;
using Microsoft.Extensions.Time.Testing;

namespace LoadBench.Engine.Tests.Transports;

/// <summary>The back-off on a fake clock, with the randomizer fixed or seeded: exact waits, no sleeping.</summary>
public sealed class BackoffTests
{
    private static readonly ReconnectPolicy NoJitter = ReconnectPolicy.Default with { Jitter = ReconnectJitter.None };

    private readonly FakeTimeProvider _time = new();

    /// <summary>Asserts that <paramref name="delay"/> ends exactly <paramref name="milliseconds"/> from now.</summary>
    private void AssertEndsAfter(Task delay, int milliseconds)
    {
        _time.Advance(TimeSpan.FromMilliseconds(milliseconds - 1));
        Assert.False(delay.IsCompleted, $"ended before {milliseconds} ms");
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(delay.IsCompletedSuccessfully, $"not ended at {milliseconds} ms");
    }

    [Fact]
    public void DelayAsync_WithoutJitter_DoublesFrom25MsUpTo1s_AndAfterResetStartsOver()
    {
        var backoff = new Backoff(_time, () => 0.5, NoJitter);

        foreach (var milliseconds in new[] { 25, 50, 100, 200, 400, 800, 1000, 1000 })
        {
            AssertEndsAfter(backoff.DelayAsync(CancellationToken.None), milliseconds);
        }

        backoff.Reset();
        AssertEndsAfter(backoff.DelayAsync(CancellationToken.None), 25);
    }

    [Theory]
    [InlineData(0.25, 25)]   // a quarter of the nominal 100 ms
    [InlineData(0.5, 50)]
    [InlineData(0.99, 99)]   // towards the most: just under the nominal wait
    public void DelayAsync_FullJitter_WaitsTheRandomizersShareOfTheNominalWait(double random, int milliseconds)
    {
        var backoff = new Backoff(_time, () => random); // the default policy: full jitter
        _ = backoff.NextDelay(); // 25 ms nominal
        _ = backoff.NextDelay(); // 50 ms nominal

        AssertEndsAfter(backoff.DelayAsync(CancellationToken.None), milliseconds);
    }

    [Fact]
    public void DelayAsync_FullJitterAtZero_DoesNotWaitAtAll()
    {
        var backoff = new Backoff(_time, () => 0.0);

        Assert.True(backoff.DelayAsync(CancellationToken.None).IsCompletedSuccessfully);
    }

    [Fact]
    public void NextDelay_FullJitter_StaysInZeroToTheCappedNominal_AndItsCeilingDoubles()
    {
        // A seeded randomizer: many draws per attempt, every one inside [0, min(cap, initial·2^attempt)).
        var random = new Random(12345);
        var policy = new ReconnectPolicy(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(10), ReconnectJitter.Full);
        var expectedCeilings = new[] { 100, 200, 400, 800, 1600, 3200, 6400, 10_000, 10_000, 10_000 };
        var largest = new double[expectedCeilings.Length];
        for (var trial = 0; trial < 500; trial++)
        {
#pragma warning disable CA5394 // jitter in a test, not security
            var backoff = new Backoff(_time, random.NextDouble, policy);
#pragma warning restore CA5394
            for (var attempt = 0; attempt < expectedCeilings.Length; attempt++)
            {
                Assert.Equal(TimeSpan.FromMilliseconds(expectedCeilings[attempt]), backoff.Nominal(attempt));
                var delay = backoff.NextDelay().TotalMilliseconds;
                Assert.InRange(delay, 0, expectedCeilings[attempt]);
                Assert.NotEqual(expectedCeilings[attempt], delay);
                largest[attempt] = Math.Max(largest[attempt], delay);
            }
        }

        // Spread over the whole window: 500 draws reach past 90 % of each ceiling (a miss has odds 0.9^500).
        for (var attempt = 0; attempt < expectedCeilings.Length; attempt++)
        {
            Assert.True(largest[attempt] > 0.9 * expectedCeilings[attempt], $"attempt {attempt}: largest {largest[attempt]} ms");
        }
    }

    [Fact]
    public void NextDelay_ManyFailures_StaysAtTheCapWithoutOverflowing()
    {
        var backoff = new Backoff(_time, () => 0.5, NoJitter with { MaxDelay = TimeSpan.FromMinutes(1) });

        for (var i = 0; i < 10_000; i++)
        {
            _ = backoff.NextDelay();
        }

        Assert.Equal(TimeSpan.FromMinutes(1), backoff.NextDelay());
    }
}
