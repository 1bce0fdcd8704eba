using System.Text.Json;

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
            throw new ThresholdFileException([new ThresholdError(path, 1, 1, "", $"cannot read the scenario file: {ex.Message}")]);
        }

        return Parse(bytes, path, scenarios);
    }

    public static IReadOnlyList<Threshold> Parse(byte[] bytes, string displayPath, IReadOnlyList<PlannedScenario> scenarios)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        ArgumentNullException.ThrowIfNull(displayPath);
        ArgumentNullException.ThrowIfNull(scenarios);

        SourceNode root;
        try
        {
            root = SourceJson.Parse(bytes);
        }
        catch (SourceJsonException ex)
        {
            throw new ThresholdFileException([new ThresholdError(displayPath, ex.Line, ex.Column, "", ex.Message)]);
        }

        var errors = new List<ThresholdError>();
        var thresholds = new List<Threshold>();
        void Error(SourceNode at, string message) => errors.Add(new ThresholdError(displayPath, at.Line, at.Column, at.Path, message));

        var property = (root as SourceObject)?.Properties.FirstOrDefault(p => p.Name == FieldName);
        if (property is null)
        {
            throw new ThresholdFileException([new ThresholdError(displayPath, root.Line, root.Column, FieldName,
                "is missing: a gate needs thresholds, e.g. \"thresholds\": { \"all\": [\"integrity/lost == 0\", \"latency/p99 +15%\"] } (see docs/gate.md)")]);
        }

        var transports = scenarios.Select(s => s.Transport).Distinct(StringComparer.Ordinal).ToList();
        var names = scenarios.Select(s => s.Name).ToList();
        if (property.Value is not SourceObject byKey)
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
                    errors.Add(new ThresholdError(displayPath, entry.Line, entry.Column, entry.Value.Path,
                        $"'{entry.Name}' is neither \"all\", a transport this file runs ({string.Join(", ", transports)}) nor one of its scenarios ({string.Join(", ", names)})"));
                    continue;
                }

                IReadOnlyList<SourceNode> items = entry.Value is SourceArray array ? array.Items : [entry.Value];
                if (items.Count == 0)
                {
                    Error(entry.Value, "is an empty list: give at least one threshold, or remove the key");
                }

                foreach (var item in items)
                {
                    if (item is not SourceValue { Kind: JsonTokenType.String } text)
                    {
                        Error(item, $"must be a threshold string such as \"latency/p99 <= 50ms\" or \"latency/p99 +15%\", got {Describe(item)}");
                        continue;
                    }

                    var source = new ThresholdSource(displayPath, text.Line, text.Column, text.Path);
                    if (ThresholdExpression.Parse(text.Text, entry.Name, source, out var error) is { } threshold)
                    {
                        thresholds.Add(threshold);
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

    private static string Describe(SourceNode node) => node switch
    {
        SourceObject => "an object",
        SourceArray => "a list",
        SourceValue { Kind: JsonTokenType.Number } v => v.Text,
        SourceValue v => v.Text,
        _ => "something else",
    };
}
