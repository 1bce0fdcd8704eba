using System.Text.Json;
using LoadBench.Syntax.Json;
using LoadBench.Syntax.Rules;

namespace LoadBench.Gate.Thresholds;

/// <summary>
/// Reads the <c>thresholds</c> of a scenario file (format: docs/gate.md):
/// <code>
/// "thresholds": {
///   "all": [ "integrity/lost == 0", "errors/rate &lt;= 0.1%" ],
///   "sse": [ "latency/p99 &lt;= 50ms", "latency/p99 +15%" ],
///   "ws_100_clients": "bytes/total &lt;= 300"
/// }
/// </code>
/// A key is <c>all</c>, a transport the file uses, or one of its scenario names. The engine's parser skips
/// this field; the gate reads it here, so the engine never depends on the gate.
/// </summary>
public static class ThresholdFile
{
    public const string FieldName = "thresholds";
    public const string AllKey = "all";

    /// <summary>The thresholds of the file at <paramref name="path"/>, checked against its scenarios.</summary>
    public static IReadOnlyList<Threshold> Load(string path, IReadOnlyList<PlannedScenario> scenarios)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ThresholdFileException([new JsonSourceError(path, 1, 1, "", $"cannot read the scenario file: {ex.Message}")]);
        }

        return Parse(bytes, path, scenarios);
    }

    public static IReadOnlyList<Threshold> Parse(byte[] bytes, string displayPath, IReadOnlyList<PlannedScenario> scenarios)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        ArgumentNullException.ThrowIfNull(displayPath);
        ArgumentNullException.ThrowIfNull(scenarios);

        JsonSourceNode root;
        try
        {
            root = JsonSourceReader.Parse(bytes, displayPath);
        }
        catch (JsonSourceException ex)
        {
            throw new ThresholdFileException([ex.Error]);
        }

        var errors = new List<JsonSourceError>();
        var thresholds = new List<Threshold>();
        void Error(JsonSourceNode at, string message) => errors.Add(JsonSourceError.At(displayPath, at, message));

        var property = (root as JsonSourceObject)?.Properties.FirstOrDefault(p => p.Name == FieldName);
        if (property is null)
        {
            throw new ThresholdFileException([new JsonSourceError(displayPath, root.Line, root.Column, FieldName,
                "is missing: a gate needs thresholds, e.g. \"thresholds\": { \"all\": [\"integrity/lost == 0\", \"latency/p99 +15%\"] } (see docs/gate.md)")]);
        }

        var transports = scenarios.Select(s => s.Transport).Distinct(StringComparer.Ordinal).ToList();
        var names = scenarios.Select(s => s.Name).ToList();
        if (property.Value is not JsonSourceObject byKey)
        {
            Error(property.Value, "must be an object whose keys are \"all\", a transport or a scenario name, and whose values are lists of thresholds");
        }
        else
        {
            if (byKey.Properties.Count == 0)
            {
                Error(byKey, "is empty: give at least one threshold");
            }

            foreach (var entry in byKey.Properties)
            {
                if (entry.Name != AllKey && !transports.Contains(entry.Name) && !names.Contains(entry.Name))
                {
                    errors.Add(new JsonSourceError(displayPath, entry.Line, entry.Column, entry.Value.Path,
                        $"'{entry.Name}' is neither \"all\", a transport this file runs ({string.Join(", ", transports)}) nor one of its scenarios ({string.Join(", ", names)})"));
                    continue;
                }

                IReadOnlyList<JsonSourceNode> items = entry.Value is JsonSourceArray array ? array.Items : [entry.Value];
                if (items.Count == 0)
                {
                    Error(entry.Value, "is an empty list: give at least one threshold, or remove the key");
                }

                foreach (var item in items)
                {
                    if (item is not JsonSourceValue { Kind: JsonTokenType.String } text)
                    {
                        Error(item, $"must be a threshold string such as \"latency/p99 <= 50ms\" or \"latency/p99 +15%\", got {item.Describe()}");
                        continue;
                    }

                    if (RuleExpression.Parse(text.Text, out var error) is { } rule)
                    {
                        thresholds.Add(Threshold.From(rule, entry.Name, new ThresholdSource(displayPath, text.Line, text.Column, text.Path)));
                    }
                    else
                    {
                        Error(text, error!);
                    }
                }
            }
        }

        if (errors.Count > 0)
        {
            throw new ThresholdFileException(errors);
        }

        return thresholds;
    }
}
