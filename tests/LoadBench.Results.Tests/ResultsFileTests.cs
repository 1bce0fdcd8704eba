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
