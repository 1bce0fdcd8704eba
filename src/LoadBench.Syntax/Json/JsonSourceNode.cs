using System.Text.Json;

namespace LoadBench.Syntax.Json;

/// <summary>
/// A JSON value that remembers where it was written: its path (<c>scenarios[1].load[0].copies</c>) and its
/// 1-based line and column. System.Text.Json's DOM forgets positions, and an error that says "line 7" is what
/// makes a hand-written file friendly. Read with <see cref="JsonSourceReader"/>.
/// </summary>
public abstract class JsonSourceNode
{
    private protected JsonSourceNode(string path, int line, int column)
    {
        Path = path;
        Line = line;
        Column = column;
    }

    /// <summary>The value's JSON path, e.g. <c>thresholds.all[1]</c>; empty for the document itself.</summary>
    public string Path { get; }

    public int Line { get; }

    public int Column { get; }

    /// <summary>"an object", "a list", "the string \"x\"", "2.5": how an error message names what it found.</summary>
    public abstract string Describe();
}

/// <summary>An object; its property names are unique (the reader refuses a name written twice).</summary>
public sealed class JsonSourceObject : JsonSourceNode
{
    private readonly Dictionary<string, JsonSourceProperty> _byName;

    internal JsonSourceObject(string path, int line, int column, List<JsonSourceProperty> properties)
        : base(path, line, column)
    {
        Properties = properties;
        _byName = properties.ToDictionary(p => p.Name, StringComparer.Ordinal);
    }

    /// <summary>The properties in file order.</summary>
    public IReadOnlyList<JsonSourceProperty> Properties { get; }

    /// <summary>The value of the property <paramref name="name"/>, or null when the object has none.</summary>
    public JsonSourceNode? this[string name] => _byName.TryGetValue(name, out var property) ? property.Value : null;

    public override string Describe() => "an object";
}

/// <summary>One property of an object; <see cref="Line"/> and <see cref="Column"/> are where its name was written.</summary>
public sealed record JsonSourceProperty(string Name, JsonSourceNode Value, int Line, int Column);

public sealed class JsonSourceArray : JsonSourceNode
{
    internal JsonSourceArray(string path, int line, int column, List<JsonSourceNode> items)
        : base(path, line, column)
    {
        Items = items;
    }

    public IReadOnlyList<JsonSourceNode> Items { get; }

    public override string Describe() => "a list";
}

/// <summary>A string, number, true, false or null.</summary>
public sealed class JsonSourceValue : JsonSourceNode
{
    internal JsonSourceValue(string path, int line, int column, JsonTokenType kind, string text)
        : base(path, line, column)
    {
        Kind = kind;
        Text = text;
    }

    public JsonTokenType Kind { get; }

    /// <summary>The string's value, or the raw text of a number, <c>true</c>, <c>false</c> or <c>null</c>.</summary>
    public string Text { get; }

    public override string Describe() => Kind == JsonTokenType.String ? $"the string \"{Text}\"" : Text;
}
