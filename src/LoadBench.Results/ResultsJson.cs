using System.Text.Json.Serialization;

namespace LoadBench.Results;

[JsonSourceGenerationOptions(WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ResultsDocument))]
internal sealed partial class ResultsJson : JsonSerializerContext;
