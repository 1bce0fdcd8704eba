using System.Text.Json;
using LoadBench.Results;

namespace LoadBench.Gate.Baselines;

/// <summary>Makes, reads and writes baseline files.</summary>
public static class BaselineFile
{
    /// <summary>Where <c>loadbench baseline save</c> puts a baseline by default.</summary>
    public static string DefaultPath(string name) => Path.Combine("results", "baselines", name + ".json");

    /// <summary>
    /// A baseline from results documents of the same scenario file, one per trial. Refuses documents of
    /// different files: their trials would not measure the same thing.
    /// </summary>
    /// <param name="name">The baseline's name.</param>
    /// <param name="trials">The documents with where each came from (for messages).</param>
    /// <param name="createdAt">Now.</param>
    public static BaselineDocument Create(string name, IReadOnlyList<(ResultsDocument Document, string Source)> trials, DateTimeOffset createdAt)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(trials);
        if (trials.Count == 0)
        {
            throw new BaselineFormatException("a baseline needs at least one results file");
        }

        // A run that stopped early measured less than its plan: its figures would make any later run look better or worse.
        foreach (var (document, source) in trials)
        {
            if (document.Incomplete is { } incomplete)
            {
                throw new BaselineFormatException(
                    $"{source} is marked incomplete ({incomplete.Reason}): an incomplete run cannot be a baseline; run the scenario file again to the end");
            }
        }

        var first = trials[0];
        foreach (var (document, source) in trials.Skip(1))
        {
            if (document.Environment.ScenarioHash != first.Document.Environment.ScenarioHash)
            {
                throw new BaselineFormatException(
                    $"{source} ran a different scenario file than {first.Source} (scenarioHash {Short(document.Environment.ScenarioHash)} vs {Short(first.Document.Environment.ScenarioHash)}): a baseline's trials must all run the same file");
            }

            var missing = first.Document.Scenarios.Select(s => s.Name).Except(document.Scenarios.Select(s => s.Name)).ToList();
            if (missing.Count > 0)
            {
                throw new BaselineFormatException($"{source} has no result for scenario(s) {string.Join(", ", missing)} that {first.Source} has");
            }
        }

        return new BaselineDocument
        {
            Name = name,
            CreatedAt = createdAt,
            ScenarioName = first.Document.Environment.ScenarioName,
            ScenarioHash = first.Document.Environment.ScenarioHash,
            Sources = trials.Select(t => t.Source).ToList(),
            // Time series are for charts; the gate never reads them, and they are most of a document's size.
            Trials = trials.Select(t => t.Document with { Scenarios = t.Document.Scenarios.Select(s => s with { TimeSeries = [] }).ToList() }).ToList(),
        };
    }

    public static async Task WriteAsync(string path, BaselineDocument baseline, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(baseline);
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        await File.WriteAllTextAsync(path, JsonSerializer.Serialize(baseline, GateJson.Default.BaselineDocument) + "\n", cancellationToken);
    }

    public static async Task<BaselineDocument> ReadAsync(string path, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string json;
        try
        {
            json = await File.ReadAllTextAsync(path, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new BaselineFormatException($"{path}: cannot read the baseline: {ex.Message}", ex);
        }

        return Parse(json, path);
    }

    /// <summary>Parses and checks a baseline: version, at least one trial, every trial readable and of one scenario file.</summary>
    public static BaselineDocument Parse(string json, string source)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(source);
        BaselineDocument? baseline;
        try
        {
            using (var probe = JsonDocument.Parse(json))
            {
                if (probe.RootElement.ValueKind != JsonValueKind.Object
                    || !probe.RootElement.TryGetProperty("baselineVersion", out var version) || version.ValueKind != JsonValueKind.Number)
                {
                    throw new BaselineFormatException(
                        $"{source}: field 'baselineVersion' is missing; is this a LoadBench baseline? (make one with 'loadbench baseline save RESULTS.json')");
                }

                if (!version.TryGetInt32(out var v) || v != BaselineDocument.CurrentVersion)
                {
                    throw new BaselineFormatException(
                        $"{source}: baselineVersion {version.GetRawText()} is not supported; this LoadBench reads baselineVersion {BaselineDocument.CurrentVersion}");
                }
            }

            baseline = JsonSerializer.Deserialize(json, GateJson.Default.BaselineDocument);
        }
        catch (JsonException ex)
        {
            var where = ex.LineNumber is { } line ? $":{line + 1}:{(ex.BytePositionInLine ?? 0) + 1}" : "";
            var field = string.IsNullOrEmpty(ex.Path) || ex.Path == "$" ? "" : $" field '{ex.Path}':";
            throw new BaselineFormatException($"{source}{where}:{field} {ex.Message}", ex);
        }

        if (baseline is null)
        {
            throw new BaselineFormatException($"{source}: the baseline is null");
        }

        if (baseline.Trials.Count == 0)
        {
            throw new BaselineFormatException($"{source}: field 'trials' is empty; a baseline needs at least one trial");
        }

        for (var i = 0; i < baseline.Trials.Count; i++)
        {
            var trial = baseline.Trials[i];
            if (trial.SchemaVersion != ResultsDocument.CurrentSchemaVersion)
            {
                throw new BaselineFormatException(
                    $"{source}: field 'trials[{i}].schemaVersion' is {trial.SchemaVersion}; this LoadBench reads results schemaVersion {ResultsDocument.CurrentSchemaVersion}");
            }

            if (trial.Environment.ScenarioHash != baseline.ScenarioHash)
            {
                throw new BaselineFormatException(
                    $"{source}: field 'trials[{i}].environment.scenarioHash' differs from the baseline's scenarioHash: its trials ran different scenario files");
            }

            if (trial.Scenarios.Count == 0)
            {
                throw new BaselineFormatException($"{source}: field 'trials[{i}].scenarios' is empty");
            }
        }

        return baseline;
    }

    private static string Short(string hash) => hash.Length > 12 ? hash[..12] : hash;
}
