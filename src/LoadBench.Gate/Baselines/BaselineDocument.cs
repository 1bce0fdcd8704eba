using System.Text.Json.Serialization;
using LoadBench.Results;

namespace LoadBench.Gate.Baselines;

/// <summary>
/// A baseline: the trials a gate compares against, kept whole. Each trial is one results document of the same
/// scenario file (time series left out to keep the file small); relative thresholds need their per-trial
/// values, absolute ones their histograms. Format: docs/gate.md ("The baseline file").
/// </summary>
public sealed record BaselineDocument
{
    public const int CurrentVersion = 1;

    [JsonPropertyName("baselineVersion")] public int BaselineVersion { get; init; } = CurrentVersion;
    /// <summary>The name it was saved under (<c>results/baselines/&lt;name&gt;.json</c>).</summary>
    [JsonPropertyName("name")] public required string Name { get; init; }
    [JsonPropertyName("createdAt")] public required DateTimeOffset CreatedAt { get; init; }
    /// <summary>The scenario file's name and hash the trials ran (the same for every trial).</summary>
    [JsonPropertyName("scenarioName")] public required string ScenarioName { get; init; }
    [JsonPropertyName("scenarioHash")] public required string ScenarioHash { get; init; }
    /// <summary>The results files it was made from, if any (informative).</summary>
    [JsonPropertyName("sources")] public IReadOnlyList<string> Sources { get; init; } = [];
    /// <summary>One results document per trial, in the order they ran.</summary>
    [JsonPropertyName("trials")] public required IReadOnlyList<ResultsDocument> Trials { get; init; }
}

[JsonSourceGenerationOptions(WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(BaselineDocument))]
internal sealed partial class GateJson : JsonSerializerContext;
