using LoadBench.Syntax.Json;

namespace LoadBench.Engine.Scenarios;

/// <summary>
/// Loads a scenario file (format: scenarios/README.md). Every problem becomes a
/// <see cref="ScenarioFileException"/> naming the file, line, column and field; unknown fields are errors,
/// so a typo cannot silently fall back to a default.
/// </summary>
public static class ScenarioFile
{
    public static ScenarioPlan Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ScenarioFileException([new JsonSourceError(path, 1, 1, "", $"cannot read the scenario file: {ex.Message}")]);
        }

        return Parse(bytes, path);
    }

    /// <summary>Parses a scenario file's bytes; <paramref name="displayPath"/> names it in errors and gives the
    /// plan its default name.</summary>
    public static ScenarioPlan Parse(byte[] bytes, string displayPath)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        ArgumentNullException.ThrowIfNull(displayPath);

        JsonSourceNode root;
        try
        {
            root = JsonSourceReader.Parse(bytes, displayPath);
        }
        catch (JsonSourceException ex)
        {
            throw new ScenarioFileException([ex.Error]);
        }

        var binder = new ScenarioFileBinder(displayPath);
        var (name, description, requires, scenarios) = binder.Bind(root);
        if (binder.Errors.Count > 0)
        {
            throw new ScenarioFileException(binder.Errors);
        }

        return new ScenarioPlan(name, ScenarioPlan.HashBytes(bytes), scenarios, displayPath)
        {
            Description = description,
            Requires = requires,
        };
    }
}
