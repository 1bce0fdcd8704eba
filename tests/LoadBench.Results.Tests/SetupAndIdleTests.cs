namespace LoadBench.Results.Tests;

public sealed class SetupAndIdleTests
{
    [Fact]
    public void IdleCost_HandCounted()
    {
        // 4 clients moved 7,200 bytes in 2 s: 900 B per connection per second → 3,240,000 per hour. The target used
        // 0.002 cores: 7.2 s of CPU an hour, shared by 4 → 1,800 ms per connection per hour.
        var idle = IdleCostResult.Of(socketBytes: 7200, windowSeconds: 2, serverCpuCores: 0.002, clients: 4);

        Assert.Equal(3_240_000, idle.BytesPerConnectionPerHour, 6);
        Assert.Equal(1800, idle.CpuMsPerConnectionPerHour!.Value, 6);
    }

    [Fact]
    public void IdleCost_NoClients_Zero()
    {
        Assert.Equal(0, IdleCostResult.Of(100, 2, 0.5, 0).BytesPerConnectionPerHour);
    }

    private static ScenarioResult Sample() =>
        ResultsSamples.Document(ResultsSamples.Latencies(1, 50), ResultsSamples.Latencies(2, 50), [ResultsSamples.Latencies(3, 50)], clients: 2).Scenarios[0];

    [Fact]
    public void Setup_MissingIsTheDefault_AndDescribedInFull()
    {
        var a = Sample() with { Setup = null };
        var b = a with { Setup = new SetupResult() };

        Assert.True(SetupResults.Same(a, b));
        Assert.False(SetupResults.Same(a, a with { Setup = new SetupResult { Compression = "gzip" } }));
        Assert.Equal("HTTP/2 · TLS · br · heartbeat 0.5 s · 100 streams/connection · via buffered",
            SetupResults.Describe(new SetupResult { Http = "2", Tls = true, Compression = "br", HeartbeatMs = 500, StreamsPerConnection = 100, Via = "buffered" }));
    }

    [Fact]
    public void Pool_TrialsOfAnotherSetup_Refused()
    {
        var a = Sample();
        var b = a with { Setup = new SetupResult { Http = "2" } };

        var ex = Assert.Throws<ResultsFormatException>(() => TrialPooler.Pool([a, b]));
        Assert.Contains("setup", ex.Message, StringComparison.Ordinal);
    }
}
