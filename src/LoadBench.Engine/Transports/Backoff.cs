namespace LoadBench.Engine.Transports;

/// <summary>
/// How long a client waits before reconnecting: exponential back-off with full jitter,
/// <c>wait = random(0, min(maxDelay, initialDelay · 2^failures))</c>, back to the start after a success
/// (<see cref="ReconnectPolicy"/>; without jitter, exactly the nominal wait). Waits on the injected clock; the
/// jitter comes from the injected randomizer.
/// </summary>
internal sealed class Backoff
{
    private readonly TimeProvider _timeProvider;
    private readonly Func<double> _randomizer;
    private readonly ReconnectPolicy _policy;
    private int _failures;

    /// <param name="timeProvider">The clock the wait runs on.</param>
    /// <param name="randomizer">A number in [0, 1) per call (<see cref="Random.NextDouble"/>).</param>
    /// <param name="policy">Delays and jitter; null: <see cref="ReconnectPolicy.Default"/>.</param>
    public Backoff(TimeProvider timeProvider, Func<double> randomizer, ReconnectPolicy? policy = null)
    {
        _timeProvider = timeProvider;
        _randomizer = randomizer;
        _policy = policy ?? ReconnectPolicy.Default;
    }

    public void Reset() => _failures = 0;

    /// <summary>The nominal wait after <paramref name="failures"/> failures before this one: the initial delay doubled that many times, at most the maximum.</summary>
    public TimeSpan Nominal(int failures)
    {
        var nominal = _policy.InitialDelay;
        for (var i = 0; i < failures && nominal < _policy.MaxDelay; i++)
        {
            nominal *= 2;
        }

        return nominal < _policy.MaxDelay ? nominal : _policy.MaxDelay;
    }

    /// <summary>The wait before the next attempt (and counts this failure).</summary>
    public TimeSpan NextDelay()
    {
        var nominal = Nominal(_failures);
        if (nominal < _policy.MaxDelay)
        {
            // Past the cap the count no longer matters; not counting on keeps it from ever overflowing.
            _failures++;
        }

        return _policy.Jitter == ReconnectJitter.Full ? nominal * _randomizer() : nominal;
    }

    public Task DelayAsync(CancellationToken cancellationToken) =>
        Task.Delay(NextDelay(), _timeProvider, cancellationToken);
}
