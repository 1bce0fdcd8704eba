using System.Text;
using LoadBench.Contracts;
using LoadBench.Engine.Scenarios;

namespace LoadBench.Engine.Tests.Scenarios;

/// <summary>A scenario entry's <c>compression</c>: set on the scenario's setup, and refused with file, line and
/// field when unknown or when it cannot apply to the entry's transport.</summary>
public sealed class CompressionFieldTests
{
    private const string File = "scenarios/test.json";

    private static string Json(string transport, string compression) => $$"""
        {
          "defaults": { "feed": { "ratePerSecond": 1, "payloadBytes": 10 } },
          "scenarios": [
            { "name": "a", "transport": "{{transport}}", "load": [ { "model": "KeepConstant", "copies": 1, "during": "1s" } ],
              "compression": "{{compression}}" }
          ]
        }
        """;

    [Theory]
    [InlineData("ws", CompressionKinds.PerMessageDeflate)]
    [InlineData("ws", CompressionKinds.PerMessageDeflateNoContextTakeover)]
    [InlineData("sse", CompressionKinds.Gzip)]
    [InlineData("longpoll", CompressionKinds.Brotli)]
    [InlineData("poll", CompressionKinds.None)]
    public void Parse_Compression_SetsTheSetup(string transport, string compression)
    {
        var plan = ScenarioFile.Parse(Encoding.UTF8.GetBytes(Json(transport, compression)), File);

        Assert.Equal(compression, Assert.Single(plan.Scenarios).Setup.Compression);
    }

    [Theory]
    [InlineData("sse", "permessage-deflate", "does not apply to 'sse'")]
    [InlineData("ws", "gzip", "does not apply to 'ws'")]
    [InlineData("ws", "zstd", "must be one of \"none\", \"permessage-deflate\"")]
    public void Parse_BadCompression_NamesFileLineAndField(string transport, string compression, string message)
    {
        var ex = Assert.Throws<ScenarioFileException>(() => ScenarioFile.Parse(Encoding.UTF8.GetBytes(Json(transport, compression)), File));

        var error = Assert.Single(ex.Errors);
        Assert.Equal(File, error.File);
        Assert.Equal(5, error.Line);
        Assert.Equal("scenarios[0].compression", error.Field);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }
}
