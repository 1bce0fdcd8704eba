namespace LoadBench.Results.Tests;

public sealed class ResultsFileTests
{
    [Fact]
    public async Task WriteAsync_ThenReadAsync_RoundTrips()
    {
        var events = ResultsSamples.Latencies(seed: 5, count: 100);
        var document = ResultsSamples.Document(events, events, [events], clients: 3);
        var path = Path.Combine(Path.GetTempPath(), $"loadbench-{Guid.NewGuid():N}", "results.json");
        try
        {
            await ResultsFile.WriteAsync(path, document, CancellationToken.None);
            var read = await ResultsFile.ReadAsync(path, CancellationToken.None);

            Assert.Equal(ResultsFile.Serialize(document), ResultsFile.Serialize(read));
            Assert.Equal(document.Scenarios[0].Throughput, read.Scenarios[0].Throughput);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
    }

    [Fact]
    public void Serialize_Limits_RoundTripsAndIsLeftOutWhenAbsent()
    {
        var events = ResultsSamples.Latencies(seed: 7, count: 10);
        var plain = ResultsSamples.Document(events, events, [events], clients: 3);
        var searched = plain with
        {
            Limits =
            [
                new LimitSearchResult
                {
                    Scenario = "sse_limit", Transport = "sse", Vary = "copies", From = 10, To = 80, Slo = ["latency/p99 <= 250ms"],
                    Steps = [new LimitStep
                    {
                        Level = 10, Scenario = "sse_limit_at_10", MetSlo = false, BrokenRule = "latency/p99 <= 250ms (was 300 ms)", P99Ms = 300,
                        EventsPerSecond = 99, TargetCores = 0.5, EngineCores = 0.4, MachineBusy = 0.95, FdLimitErrors = 0, ConnectErrors = 2,
                    }],
                    FirstFailed = 10, BrokenRule = "latency/p99 <= 250ms (was 300 ms)", Bottleneck = "connect errors",
                    Label = "machine-bound (other processes kept the cores at least 90 % busy)", Complete = false,
                },
            ],
        };

        var read = ResultsFile.Parse(ResultsFile.Serialize(searched), "results.json");

        Assert.Equal(ResultsFile.Serialize(searched), ResultsFile.Serialize(read));
        Assert.Equal(searched.Limits[0].Steps[0], read.Limits![0].Steps[0]);
        Assert.False(read.Limits[0].Complete);
        Assert.DoesNotContain("\"limits\"", ResultsFile.Serialize(plain), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_UnknownSchemaVersion_IsRefusedWithAClearMessage()
    {
        var ex = Assert.Throws<ResultsFormatException>(() => ResultsFile.Parse("""{"schemaVersion": 2, "scenarios": []}""", "old/results.json"));

        Assert.Contains("old/results.json", ex.Message, StringComparison.Ordinal);
        Assert.Contains("schemaVersion 2 is not supported", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_NoSchemaVersion_SaysSo()
    {
        var ex = Assert.Throws<ResultsFormatException>(() => ResultsFile.Parse("""{"scenarios": []}""", "x.json"));

        Assert.Contains("'schemaVersion' is missing", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_MalformedJson_NamesTheSourceAndLine()
    {
        var ex = Assert.Throws<ResultsFormatException>(() => ResultsFile.Parse("{\n\"schemaVersion\": 1,\n oops }", "bad.json"));

        Assert.StartsWith("bad.json:3:", ex.Message, StringComparison.Ordinal);
    }
}
