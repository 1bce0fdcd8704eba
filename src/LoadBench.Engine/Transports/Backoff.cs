namespace LoadBench.Engine.Transports;

/// <summary>
/// How long a client waits before reconnecting: 25 ms after the first failure, doubling up to 1 s, back to
/// the start after a success. Bounded so a recovered target is found again quickly; jittered (±50%) so a
/// thousand clients dropped at once do not come back in one burst. Waits on the injected clock; the jitter
/// comes from the injected randomizer.
/// </summary>
internal sealed class Backoff
{
    private static readonly TimeSpan First = TimeSpan.FromMilliseconds(25);
    private static readonly TimeSpan Max = TimeSpan.FromSeconds(1);

    private readonly TimeProvider _timeProvider;
    private readonly Func<double> _randomizer;
    private int _failures;

    /// <param name="timeProvider">The clock the wait runs on.</param>
    /// <param name="randomizer">A number in [0, 1) per call (<see cref="Random.NextDouble"/>).</param>
    public Backoff(TimeProvider timeProvider, Func<double> randomizer)
    {
        _timeProvider = timeProvider;
        _randomizer = randomizer;
    }

    public void Reset() => _failures = 0;

    public Task DelayAsync(CancellationToken cancellationToken)
    {
        var step = Math.Min(_failures, 6);
        _failures++;
        var nominal = TimeSpan.FromTicks(Math.Min(First.Ticks << step, Max.Ticks));
        var jittered = nominal * (0.5 + _randomizer());
        return Task.Delay(jittered, _timeProvider, cancellationToken);
    }
}
