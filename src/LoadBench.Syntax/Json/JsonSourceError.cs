namespace LoadBench.Syntax.Json;

/// <summary>One problem in a hand-written JSON file, at a place a person can find. The scenario loader and
/// the gate's threshold reader both report with it, so their messages read the same.</summary>
/// <param name="File">The path as given.</param>
/// <param name="Line">1-based line.</param>
/// <param name="Column">1-based column (characters, not bytes).</param>
/// <param name="Field">JSON path of the field, e.g. <c>scenarios[1].load[0].copies</c>; empty for syntax errors.</param>
/// <param name="Message">What is wrong, and what is expected.</param>
public sealed record JsonSourceError(string File, int Line, int Column, string Field, string Message)
{
    /// <summary>The error at <paramref name="node"/>, naming its path as the field.</summary>
    public static JsonSourceError At(string file, JsonSourceNode node, string message)
    {
        ArgumentNullException.ThrowIfNull(node);
        return new JsonSourceError(file, node.Line, node.Column, node.Path, message);
    }

    /// <summary>Every error on its own line, as an exception message.</summary>
    public static string Lines(IEnumerable<JsonSourceError> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        return string.Join(Environment.NewLine, errors.Select(e => e.ToString()));
    }

    /// <summary><c>scenarios/bad.json:7:21: field 'scenarios[1].load[0].copies': must be a positive integer, got -3</c></summary>
    public override string ToString() =>
        Field.Length == 0 ? $"{File}:{Line}:{Column}: {Message}" : $"{File}:{Line}:{Column}: field '{Field}': {Message}";
}
