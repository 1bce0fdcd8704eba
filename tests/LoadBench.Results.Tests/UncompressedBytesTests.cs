namespace LoadBench.Results.Tests;

/// <summary>The uncompressed split beside a compressed run's wire split: what it adds up to, how it sums over
/// trials and merged parts, and that an uncompressed run has none.</summary>
public sealed class UncompressedBytesTests
{
    private static readonly System.Text.Json.JsonSerializerOptions Json =
        new() { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };

    // 10 events of 250 B JSON; the wire carried a 1,000 B compressed body, 60 B of chunk lines and 500 B of heads;
    // decoded, the body is the 2,500 B of events plus 10 × 20 B of SSE fields = 2,700 B.
    private static BytesResult Compressed() =>
        ResultFigures.WithUncompressed(ResultFigures.Bytes(payload: 1000, framing: 60, headers: 500, events: 10), uncompressedPayload: 2500, decodedBody: 2700);

    [Fact]
    public void WithUncompressed_FramingIsWireFramingPlusTheDecodedBodyAroundTheEvents_RatioIsDecodedOverCompressed()
    {
        var bytes = Compressed();

        Assert.Equal(1560, bytes.Total); // the wire is unchanged: still the socket bytes
        var uncompressed = bytes.Uncompressed!;
        Assert.Equal(2500, uncompressed.Payload);
        Assert.Equal(60 + 200, uncompressed.Framing);
        Assert.Equal(2.7, uncompressed.Ratio!.Value, precision: 12);
        Assert.Equal(250, uncompressed.PerEvent.Payload);
        Assert.Equal(26, uncompressed.PerEvent.Framing);
    }

    [Fact]
    public void SumBytes_AddsTheUncompressedSplit_OnlyWhenEveryPartHasOne()
    {
        var sum = ResultFigures.SumBytes([Compressed(), Compressed()])!;
        Assert.Equal(5000, sum.Uncompressed!.Payload);
        Assert.Equal(520, sum.Uncompressed.Framing);
        Assert.Equal(2.7, sum.Uncompressed.Ratio!.Value, precision: 12);

        var mixed = ResultFigures.SumBytes([Compressed(), ResultFigures.Bytes(2500, 260, 500, 10)])!;
        Assert.Null(mixed.Uncompressed);
    }

    [Fact]
    public void WithUncompressed_NoCompressedByteSeen_RatioIsNull()
    {
        var bytes = ResultFigures.WithUncompressed(ResultFigures.Bytes(0, 10, 100, 0), 0, 0);

        Assert.Null(bytes.Uncompressed!.Ratio);
    }

    [Fact]
    public void Serialize_Uncompressed_RoundTripsAndIsLeftOutWhenAbsent()
    {
        var json = System.Text.Json.JsonSerializer.Serialize(Compressed(), Json);
        using (var document = System.Text.Json.JsonDocument.Parse(json))
        {
            var uncompressed = document.RootElement.GetProperty("uncompressed");
            Assert.Equal(2500, uncompressed.GetProperty("payload").GetInt64());
            Assert.Equal(260, uncompressed.GetProperty("framing").GetInt64());
            Assert.Equal(2.7, uncompressed.GetProperty("ratio").GetDouble(), precision: 12);
        }

        Assert.Equal(Compressed(), System.Text.Json.JsonSerializer.Deserialize<BytesResult>(json, Json));

        var plain = System.Text.Json.JsonSerializer.Serialize(ResultFigures.Bytes(1, 2, 3, 1), Json);
        Assert.DoesNotContain("uncompressed", plain, StringComparison.Ordinal);
    }

    [Fact]
    public void ServerCost_ResidentPerConnection_IsWorkingSetGrowthBetweenTheTwoFullCollections()
    {
        // 100 clients; the working set after the full collection grew by 25,600 KiB (native compressor state the
        // managed heap, which grew only 1,000 KiB, does not show).
        var cost = ResultFigures.ServerCost(100, 0.1, workingSetBefore: 50L << 20, workingSetPeak: 90L << 20, events: 1000, clients: 100,
            retainedBefore: 10L << 20, retainedWithClients: (10L << 20) + (1000 * 1024), residentWithClients: (50L << 20) + (25_600L * 1024));

        Assert.Equal(256, cost.ResidentKibPerConnection!.Value, precision: 9);
        Assert.Equal(10, cost.KibPerConnection!.Value, precision: 9);
        Assert.Null(ResultFigures.ServerCost(100, 0.1, 50L << 20, 90L << 20, 1000, 100).ResidentKibPerConnection);
    }
}
