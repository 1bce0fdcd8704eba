using LoadBench.Contracts;
using LoadBench.Reporting.Charts;
using LoadBench.Reporting.Model;
using LoadBench.Reporting.Tests.TestSupport;
using LoadBench.Results;

namespace LoadBench.Reporting.Tests.Charts;

public sealed class PercentileSpectrumTests
{
    /// <summary>99 samples of 1 ms and one of 100 ms: p90 is 1 ms, p99.9 is the 100 ms sample.</summary>
    private static string NinetyNineFastOneSlow()
    {
        var histogram = HistogramCodec.NewHistogram();
        histogram.RecordValueWithCount(1_000, 99);
        histogram.RecordValue(100_000);
        return HistogramCodec.Encode(histogram);
    }

    [Fact]
    public void FromEncoded_NinetyNineAt1msOneAt100ms_P999IsAbout100ms()
    {
        var points = PercentileSpectrum.FromEncoded(NinetyNineFastOneSlow(), nines: 3);

        var p90 = Assert.Single(points, p => Math.Abs(p.X - 1) < 1e-9);
        var p999 = Assert.Single(points, p => Math.Abs(p.X - 3) < 1e-9);
        Assert.Equal(90, p90.Percentile, 6);
        Assert.Equal(99.9, p999.Percentile, 6);
        Assert.Equal(1, p90.LatencyMs, 0.001 * 1);       // HdrHistogram: 3 significant digits
        Assert.Equal(100, p999.LatencyMs, 0.001 * 100);
        Assert.Equal(3 * PercentileSpectrum.PointsPerNine + 1, points.Count);
        Assert.Equal(0, points[0].Percentile);
    }

    [Fact]
    public void Lines_ScenarioWithKnownHistogram_PlotsTheDecodedValues()
    {
        var encoded = NinetyNineFastOneSlow();
        var scenario = SampleResults.Scenario(TransportIds.Sse, 10) with
        {
            Latency = new LatencyResult { Event = SampleResults.Summary(HistogramCodec.Decode(encoded)) },
        };
        var group = SetupGroup.All(new ResultsDocument { Environment = SampleResults.Environment(), Scenarios = [scenario] }).Single();

        var (lines, nines) = SpectrumChart.Lines(group);

        Assert.Equal(3, nines); // 100 samples
        var line = Assert.Single(lines);
        Assert.Equal("Server-Sent Events", line.Label);
        Assert.Equal(100, line.Points.Single(p => Math.Abs(p.X - 3) < 1e-9).LatencyMs, 0.1);
        Assert.Equal(1, line.Points.Single(p => Math.Abs(p.X - 1) < 1e-9).LatencyMs, 0.001);
        // Never above the largest recorded value, even where HdrHistogram's bucket would round up.
        Assert.All(line.Points, p => Assert.True(p.LatencyMs <= scenario.Latency.Event.MaxMs + 1e-9));
    }

    [Theory]
    [InlineData(0, 3)]
    [InlineData(100, 3)]
    [InlineData(10_000, 4)]
    [InlineData(123_456, 6)]
    [InlineData(5_000_000_000, 6)]
    public void Nines_SampleCount_CoversTheTailTheSampleCanShow(long count, int expected) =>
        Assert.Equal(expected, PercentileSpectrum.Nines(count));

    [Fact]
    public void PercentileTicks_FourNines_LabelsTheHdrHistogramLevels()
    {
        var ticks = SpectrumChart.PercentileTickMarks(4);
        Assert.Equal(["0%", "50%", "90%", "99%", "99.9%", "99.99%"], ticks.Select(t => t.Label));
        Assert.Equal(Math.Log10(2), ticks[1].Position, 9); // 1 / (1 − 0.5) = 2
        Assert.Equal([1.0, 2, 3, 4], ticks.Skip(2).Select(t => t.Position));
    }

    [Fact]
    public void Compute_EmptyHistogram_HasNoPoints() =>
        Assert.Empty(PercentileSpectrum.Compute(HistogramCodec.NewHistogram(), 3));
}
