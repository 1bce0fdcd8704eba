using LoadBench.Engine.Transports;
using Microsoft.Extensions.Time.Testing;

namespace LoadBench.Engine.Tests.Transports;

/// <summary>The back-off on a fake clock, with the randomizer fixed: exact waits, no sleeping.</summary>
public sealed class BackoffTests
{
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
    public void DelayAsync_DoublesFrom25MsUpTo1s_AndAfterResetStartsOver()
    {
        var backoff = new Backoff(_time, () => 0.5); // the middle of the jitter: exactly the nominal wait

        foreach (var milliseconds in new[] { 25, 50, 100, 200, 400, 800, 1000, 1000 })
        {
            AssertEndsAfter(backoff.DelayAsync(CancellationToken.None), milliseconds);
        }

        backoff.Reset();
        AssertEndsAfter(backoff.DelayAsync(CancellationToken.None), 25);
    }

    [Theory]
    [InlineData(0.0, 50)]    // the least: half the nominal 100 ms
    [InlineData(0.5, 100)]
    [InlineData(0.75, 125)]  // towards the most: one and a half times
    public void DelayAsync_JitterComesFromTheRandomizer(double random, int milliseconds)
    {
        var backoff = new Backoff(_time, () => random);
        _ = backoff.DelayAsync(CancellationToken.None); // 25 ms nominal
        _ = backoff.DelayAsync(CancellationToken.None); // 50 ms nominal

        AssertEndsAfter(backoff.DelayAsync(CancellationToken.None), milliseconds);
    }
}
