using HdrHistogram;

namespace LoadBench.Engine.Metrics;

/// <summary>
/// The latency recorders shared by every client of one scenario. HdrHistogram's <see cref="Recorder"/> takes
/// concurrent writers without locks and hands out interval histograms (one per second for the time series)
/// without stopping them. Values are microseconds, 1 µs .. 1 h, 3 significant digits.
/// </summary>
internal sealed class LatencyRecorders
{
    public const long LowestMicros = 1;
    public const long HighestMicros = 3_600_000_000;
    public const int SignificantDigits = 3;

    /// <summary>Publish → receive, per delivered event.</summary>
    public Recorder Event { get; } = NewRecorder();

    /// <summary>Request → response, per poll (open models: from the intended start).</summary>
    public Recorder Request { get; } = NewRecorder();

    /// <summary>Time to recover, per cut connection: cut (or reset) → first event after reconnecting.</summary>
    public Recorder Recovery { get; } = NewRecorder();

    public static Recorder NewRecorder() =>
        new(LowestMicros, HighestMicros, SignificantDigits, (id, low, high, digits) => new LongConcurrentHistogram(id, low, high, digits));

    /// <summary>Records a value, clamped into the trackable range so one absurd sample (a clock step) cannot throw.</summary>
    public static void RecordMicros(Recorder recorder, long micros)
    {
        ArgumentNullException.ThrowIfNull(recorder);
        recorder.RecordValue(Math.Clamp(micros, LowestMicros, HighestMicros));
    }
}
