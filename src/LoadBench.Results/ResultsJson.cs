using System.Text.Json.Serialization;

namespace LoadBench.Results;

[JsonSourceGenerationOptions(WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ResultsDocument))]
public sealed partial class ResultsJson : JsonSerializerContext;
