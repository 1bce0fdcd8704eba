using System.Text;
using System.Text.Json;
using Json.Schema;
using LoadBench.Contracts;
using LoadBench.Engine.Scenarios;

namespace LoadBench.Engine.Tests.Scenarios;

/// <summary>
/// scenarios/scenario.schema.json is what editors check scenario files with: every shipped file must pass a
/// real validator (JsonSchema.Net), and the schema must name exactly the fields the binder accepts, object
/// by object, so neither can drift from the other.
/// </summary>
public sealed class ScenarioSchemaTests
{
    private static readonly JsonDocumentOptions HandWritten = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    private static readonly JsonDocument SchemaDocument = JsonDocument.Parse(File.ReadAllText(ShippedScenarios.SchemaPath));

    private static readonly JsonSchema Schema = JsonSchema.Build(SchemaDocument.RootElement);

    public static TheoryData<string> Files() => new(ShippedScenarios.All());

    /// <summary>Each object the binder reads, the binder's field names for it, and where the schema
    /// describes it.</summary>
    public static TheoryData<string, string[]> Objects() => new()
    {
        { "", [.. ScenarioFileFields.Root] },
        { "/$defs/defaults", [.. ScenarioFileFields.Defaults] },
        { "/$defs/scenario", [.. ScenarioFileFields.Entry] },
        { "/$defs/feed", [.. ScenarioFileFields.Feed] },
        { "/$defs/closedStep", [.. ScenarioFileFields.ClosedStep] },
        { "/$defs/openStep", [.. ScenarioFileFields.OpenStep] },
        { "/$defs/search", [.. ScenarioFileFields.Search] },
        { "/$defs/reconnect", [.. ScenarioFileFields.Reconnect] },
        { "/$defs/fault", [.. ScenarioFileFields.Fault] },
    };

    [Theory]
    [MemberData(nameof(Files))]
    public void ShippedScenarioFile_IsValidAgainstTheSchema(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(path), HandWritten);

        var errors = Errors(document.RootElement);

        Assert.True(errors.Count == 0, $"{path}:{Environment.NewLine}{string.Join(Environment.NewLine, errors)}");
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void ShippedScenarioFile_PointsAtTheSchema(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(path), HandWritten);

        var pointer = document.RootElement.GetProperty("$schema").GetString()!;

        Assert.Equal(ShippedScenarios.SchemaPath, Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, pointer)));
    }

    [Theory]
    [MemberData(nameof(Objects))]
    public void SchemaAndBinder_NameTheSameFields(string schemaPointer, string[] binderFields)
    {
        var schemaObject = At(schemaPointer);
        var schemaFields = schemaObject.GetProperty("properties").EnumerateObject().Select(p => p.Name).ToList();

        Assert.Empty(binderFields.Except(schemaFields)); // accepted by the binder, unknown to editors
        Assert.Empty(schemaFields.Except(binderFields)); // offered by editors, refused by the binder
        Assert.False(schemaObject.GetProperty("additionalProperties").GetBoolean(), $"{schemaPointer} must refuse unknown fields, as the binder does");
    }

    [Fact]
    public void SchemaAndEngine_AgreeOnValuesAndBounds()
    {
        Assert.Equal(TransportIds.All, Strings(At("/$defs/transport/enum")));
        Assert.Equal(ScenarioFileFields.Requirements, Strings(At("/properties/requires/items/enum")));
        Assert.Equal([nameof(KeepConstant), nameof(RampingConstant)], Strings(At("/$defs/closedStep/properties/model/enum")));
        Assert.Equal([nameof(Inject), nameof(RampingInject)], Strings(At("/$defs/openStep/properties/model/enum")));
        Assert.Equal(ScenarioValidator.MaxCopies, At("/$defs/copyCount/maximum").GetInt32());
        Assert.Equal(ScenarioValidator.MaxCopies, At("/$defs/clients/maximum").GetInt32());
        Assert.Equal(ScenarioValidator.MaxRate, At("/$defs/openStep/properties/rate/maximum").GetInt32());
        Assert.Equal(FeedSettings.MaxRatePerSecond, At("/$defs/rate/maximum").GetDouble());
        Assert.Equal(FeedSettings.MaxPayloadBytes, At("/$defs/feed/properties/payloadBytes/maximum").GetInt32());
        Assert.Equal(FeedRoutes.MaxPollMax, At("/$defs/maxPerPoll/maximum").GetInt32());
        Assert.Equal(FaultKinds.All, Strings(At("/$defs/fault/properties/kind/enum")));
        Assert.Equal(HttpVersions.All, Strings(At("/$defs/httpVersion/enum")));
        Assert.Equal(CompressionKinds.All, Strings(At("/$defs/compressionKind/enum")));
        Assert.Equal(ScenarioValidator.MaxStreamsPerConnection, At("/$defs/streamCount/maximum").GetInt32());
    }

    [Theory]
    [InlineData("10s")]
    [InlineData("250ms")]
    [InlineData("1.5s")]
    [InlineData("2m")]
    [InlineData("1h")]
    [InlineData("00:00:10")]
    [InlineData("00:01:00.5")]
    [InlineData("1.00:00:00")]
    public void DurationPattern_AcceptsWhatTheBinderAccepts(string text)
    {
        Assert.True(DurationText.TryParse(text, out _));
        Assert.Empty(Errors(WithWarmUp(text)));
    }

    [Theory]
    [InlineData("10")]
    [InlineData("ten seconds")]
    [InlineData("10 sec")]
    public void DurationPattern_RefusesWhatTheBinderRefuses(string text)
    {
        Assert.False(DurationText.TryParse(text, out _));
        Assert.NotEmpty(Errors(WithWarmUp(text)));
    }

    [Theory]
    [InlineData("""{ "scenarios": [ { "name": "a", "transport": "sse", "warmup": "1s" } ] }""", "/scenarios/0/warmup")]
    [InlineData("""{ "scenarios": [ { "name": "a", "transport": "grpc" } ] }""", "/scenarios/0/transport")]
    [InlineData("""{ "scenarios": [ { "name": "Sse 10", "transport": "sse" } ] }""", "/scenarios/0/name")]
    [InlineData("""{ "requires": ["redis"], "scenarios": [ { "name": "a" } ] }""", "/requires/0")]
    [InlineData("""{ "scenarios": [ { "name": "a", "load": [ { "model": "KeepConstant", "copies": -3, "during": "1s" } ] } ] }""", "/scenarios/0/load/0")]
    [InlineData("""{ "scenarios": [ { "name": "a", "load": [ { "model": "Inject", "copies": 3, "during": "1s" } ] } ] }""", "/scenarios/0/load/0")]
    [InlineData("""{ "scenarios": [ { "name": "a" } ], "thresholds": { "all": [ "p99 below 50ms" ] } }""", "/thresholds/all")]
    [InlineData("""{ "name": "a" }""", "")]
    [InlineData("""{ "scenarios": [ { "name": "a", "faults": [ { "at": "1s", "kind": "unplug" } ] } ] }""", "/scenarios/0/faults/0/kind")]
    [InlineData("""{ "scenarios": [ { "name": "a", "faults": [ { "at": "1s", "kind": "abort", "duration": "5s" } ] } ] }""", "/scenarios/0/faults/0")]
    [InlineData("""{ "scenarios": [ { "name": "a", "faults": [ { "at": "1s", "kind": "restart", "duration": "5s" } ] } ] }""", "/scenarios/0/faults/0")]
    [InlineData("""{ "scenarios": [ { "name": "a", "http": "3" } ] }""", "/scenarios/0/http")]
    [InlineData("""{ "scenarios": [ { "name": "a", "heartbeat": "fast" } ] }""", "/scenarios/0/heartbeat")]
    public void Schema_RefusesMistakes_AtTheirPlace(string json, string instanceLocation)
    {
        using var document = JsonDocument.Parse(json);

        var errors = Errors(document.RootElement);

        Assert.Contains(errors, e => e.StartsWith($"{instanceLocation}:", StringComparison.Ordinal));
    }

    [Fact]
    public void Schema_IsAValidDraft202012Schema()
    {
        var results = MetaSchemas.Draft202012.Evaluate(SchemaDocument.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });

        Assert.True(results.IsValid);
        Assert.Equal("https://json-schema.org/draft/2020-12/schema", At("/$schema").GetString());
    }

    private static JsonElement WithWarmUp(string duration) => JsonDocument.Parse(
        Encoding.UTF8.GetBytes($$"""{ "defaults": { "warmUp": "{{duration}}" }, "scenarios": [ { "name": "a" } ] }""")).RootElement;

    /// <summary>"instance location: message" for every failed check.</summary>
    private static List<string> Errors(JsonElement instance)
    {
        var results = Schema.Evaluate(instance, new EvaluationOptions { OutputFormat = OutputFormat.List });
        return results.IsValid
            ? []
            : (results.Details ?? [])
                .Where(d => d.Errors is { Count: > 0 })
                .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Key}: {e.Value}"))
                .ToList();
    }

    private static JsonElement At(string pointer)
    {
        var element = SchemaDocument.RootElement;
        foreach (var segment in pointer.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            element = element.GetProperty(segment.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal));
        }

        return element;
    }

    private static List<string> Strings(JsonElement array) => array.EnumerateArray().Select(e => e.GetString()!).ToList();
}
