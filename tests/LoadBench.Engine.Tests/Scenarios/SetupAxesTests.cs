using System.Text;
using LoadBench.Contracts;
using LoadBench.Engine.Scenarios;

namespace LoadBench.Engine.Tests.Scenarios;

/// <summary>The production-path axes of a scenario file: lists that expand, placeholders, and every combination
/// that makes no sense refused at its file, line and field.</summary>
public sealed class SetupAxesTests
{
    private const string File = "scenarios/setup.json";

    private static ScenarioPlan Parse(string json) => ScenarioFile.Parse(Encoding.UTF8.GetBytes(json), File);

    private static string Entry(string transport, string fields) => $$"""
        {
          "defaults": { "feed": { "ratePerSecond": 1, "payloadBytes": 64 }, "load": [ { "model": "KeepConstant", "copies": 2, "during": "2s" } ] },
          "scenarios": [
            { "name": "x", "transport": "{{transport}}",
              {{fields}} }
          ]
        }
        """;

    [Fact]
    public void Lists_ExpandIntoEveryCombination_WithPlaceholdersAndTheSetupFilled()
    {
        var plan = Parse("""
            {
              "defaults": { "feed": { "ratePerSecond": 0, "payloadBytes": 64 }, "load": [ { "model": "KeepConstant", "copies": 2, "during": "2s" } ],
                            "heartbeat": ["off", "15s"] },
              "scenarios": [
                { "name": "{transport}_{http}_{tls}_{heartbeat}_{streams}_{via}_{compression}", "transport": ["sse", "ws"],
                  "http": ["1.1", "2"], "tls": [false, true], "via": "direct" }
              ]
            }
            """);

        Assert.Equal(16, plan.Scenarios.Count);
        var sse = Assert.Single(plan.Scenarios, s => s.Name == "sse_h2_tls_15000ms_1_direct_none");
        Assert.Equal(new ConnectionSetup { Http = "2", Tls = true, Heartbeat = TimeSpan.FromSeconds(15) }, sse.Setup);
        var plain = Assert.Single(plan.Scenarios, s => s.Name == "ws_h1_plain_off_1_direct_none");
        Assert.Null(plain.Setup.Heartbeat);
        Assert.False(plain.Setup.Tls);
    }

    [Fact]
    public void Via_AUrlInTheNameInPlainCharacters_TlsAndHttp2ThroughTheEngineNginx()
    {
        var url = Parse(Entry("sse", "\"via\": \"http://127.0.0.1:8080/\", \"name\": \"sse_{via}\"").Replace("\"name\": \"x\", ", "", StringComparison.Ordinal));
        Assert.Equal("sse_127_0_0_1_8080", Assert.Single(url.Scenarios).Name);

        // TLS and HTTP/2 on the client ↔ nginx leg of the engine's nginx: accepted.
        var nginx = Parse(Entry("sse", "\"http\": \"2\", \"tls\": true, \"via\": [\"loadbench\", \"sse-buffering-on\"], \"name\": \"sse_{via}\"").Replace("\"name\": \"x\", ", "", StringComparison.Ordinal));
        Assert.Equal(["sse_loadbench", "sse_sse_buffering_on"], nginx.Scenarios.Select(s => s.Name));
        Assert.All(nginx.Scenarios, s => Assert.Equal((HttpVersions.Http2, true), (s.Setup.Http, s.Setup.Tls)));
    }

    [Fact]
    public void NoSetupFields_TheDefaultSetup()
    {
        var scenario = Assert.Single(Parse(Entry("sse", "\"warmUp\": \"0s\"")).Scenarios);
        Assert.True(scenario.Setup.IsDefault);
    }

    [Fact]
    public void StreamsPerConnection_OverHttp2_OnStreams()
    {
        var plan = Parse(Entry("sse", "\"http\": \"2\", \"streamsPerConnection\": [1, 100], \"name\": \"sse_{streams}\"").Replace("\"name\": \"x\", ", "", StringComparison.Ordinal));
        Assert.Equal([1, 100], plan.Scenarios.Select(s => s.Setup.StreamsPerConnection));
    }

    [Theory]
    [InlineData("sse", "\"http\": \"2\", \"compression\": \"gzip\"")]
    [InlineData("poll", "\"http\": \"2\", \"tls\": true, \"compression\": \"br\"")]
    [InlineData("longpoll", "\"tls\": true, \"compression\": \"gzip\"")]
    [InlineData("ws", "\"tls\": true, \"compression\": \"permessage-deflate\"")]
    [InlineData("ws", "\"http\": \"2\", \"compression\": \"permessage-deflate\"")]
    [InlineData("ws", "\"http\": \"2\", \"tls\": true, \"compression\": \"permessage-deflate-no-context-takeover\"")]
    public void Compression_OverTlsOrHttp2_Accepted(string transport, string fields)
    {
        var scenario = Assert.Single(Parse(Entry(transport, fields)).Scenarios);
        Assert.NotEqual(CompressionKinds.None, scenario.Setup.Compression);
    }

    [Theory]
    [InlineData("ws", "\"compression\": \"gzip\"", "compression", "does not apply to 'ws'")]
    [InlineData("sse", "\"compression\": \"permessage-deflate\"", "compression", "does not apply to 'sse'")]
    [InlineData("sse", "\"compression\": \"zstd\"", "compression", "must be one of")]
    [InlineData("sse", "\"streamsPerConnection\": 10", "streamsPerConnection", "HTTP/2 only")]
    [InlineData("poll", "\"http\": \"2\", \"streamsPerConnection\": 10", "streamsPerConnection", "means nothing for 'poll'")]
    [InlineData("sse", "\"http\": \"2\", \"streamsPerConnection\": 0", "streamsPerConnection", "must be 1 to 1000")]
    [InlineData("ws", "\"http\": \"2\", \"via\": \"loadbench\"", "via", "WebSocket over HTTP/2 cannot go via nginx")]
    [InlineData("sse", "\"via\": \"no-such-config\"", "via", "must be \"direct\", an nginx configuration of deploy/nginx/")]
    [InlineData("sse", "\"tls\": true, \"via\": \"http://127.0.0.1:8080/\"", "via", "reached over plain HTTP/1.1 only")]
    [InlineData("ws", "\"http\": \"2\", \"tls\": true, \"via\": \"idle-timeout-long\"", "via", "nginx 1.22 does not support RFC 8441")]
    [InlineData("sse", "\"via\": \"../etc/nginx\"", "via", "must be \"direct\"")]
    [InlineData("poll", "\"heartbeat\": \"15s\"", "heartbeat", "'poll' has none")]
    [InlineData("longpoll", "\"heartbeat\": \"15s\"", "heartbeat", "longPollTimeout")]
    [InlineData("sse", "\"heartbeat\": \"1ms\"", "heartbeat", "10ms to 10m")]
    [InlineData("sse", "\"http\": \"3\"", "http", "must be one of \"1.1\", \"2\"")]
    [InlineData("sse", "\"http\": 2", "http", "(a string)")]
    [InlineData("sse", "\"tls\": \"yes\"", "tls", "must be true or false")]
    [InlineData("sse", "\"heartbeat\": \"often\"", "heartbeat", "must be \"off\" or a duration")]
    public void NonsensicalSetup_RefusedWithFileLineAndField(string transport, string fields, string field, string message)
    {
        var ex = Assert.Throws<ScenarioFileException>(() => Parse(Entry(transport, fields)));

        var error = Assert.Single(ex.Errors);
        Assert.Equal(File, error.File);
        Assert.Equal(5, error.Line); // the entry's second line, where the setup fields are written
        Assert.Equal($"scenarios[0].{field}", error.Field);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SetupInDefaults_ReportedAtTheDefaultsLine()
    {
        var ex = Assert.Throws<ScenarioFileException>(() => Parse("""
            {
              "defaults": { "feed": { "ratePerSecond": 1, "payloadBytes": 64 }, "load": [ { "model": "KeepConstant", "copies": 2, "during": "2s" } ],
                            "compression": "gzip" },
              "scenarios": [ { "name": "ws_1", "transport": "ws" } ]
            }
            """));

        var error = Assert.Single(ex.Errors);
        Assert.Equal(3, error.Line);
        Assert.Equal("defaults.compression", error.Field);
    }

    [Fact]
    public void ListExpansion_WithoutPlaceholder_NamesTheSetupPlaceholdersInTheDuplicateError()
    {
        var ex = Assert.Throws<ScenarioFileException>(() => Parse(Entry("sse", "\"tls\": [false, true]")));
        Assert.Contains("{tls}", Assert.Single(ex.Errors).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ScenarioBuiltInCode_MeetsTheSameRules()
    {
        var scenario = new Scenario
        {
            Name = "ws_gzip",
            Transport = TransportIds.WebSocket,
            Load = [new KeepConstant(1, TimeSpan.FromSeconds(1))],
            Feed = new FeedSpec(1, 64),
            Setup = new ConnectionSetup { Compression = CompressionKinds.Gzip },
        };

        var issue = Assert.Single(ScenarioValidator.Validate(scenario));
        Assert.Equal("compression", issue.Field);
    }
}
