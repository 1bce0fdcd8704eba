using System.Globalization;
using System.Text.Json;
using LoadBench.Syntax.Json;

namespace LoadBench.Engine.Scenarios;

/// <summary>
/// The production-path axes of an entry (<c>http</c>, <c>tls</c>, <c>compression</c>, <c>heartbeat</c>,
/// <c>streamsPerConnection</c>, <c>via</c>): each one value or a list, expanded like <c>transport</c> into one
/// <see cref="ConnectionSetup"/> per combination. Kept apart from the rest of the binder, which it only feeds:
/// here each value is read for its type; whether it makes sense (a known HTTP version, compression that applies
/// to the transport) is <see cref="ScenarioValidator"/>'s, so scenarios built in code meet the same rules.
/// </summary>
internal sealed partial class ScenarioFileBinder
{
    /// <summary>The setup fields, in the order their names are read and their placeholders listed.</summary>
    internal static readonly IReadOnlyList<string> SetupFields = ["http", "tls", "compression", "heartbeat", "streamsPerConnection", "via"];

    /// <summary>One combination of the setup axes: <see cref="Known"/> is false when any of its values could not be
    /// read (reported already), and <see cref="Origins"/> says where each field was written.</summary>
    private sealed record SetupCombination(ConnectionSetup Setup, bool Known, IReadOnlyDictionary<string, JsonSourceNode> Origins);

    private List<SetupCombination> BindSetups(JsonSourceObject entry, Func<string, JsonSourceNode?> find)
    {
        var defaults = ConnectionSetup.Default;
        var http = AxisCore(find("http"), entry, null, "", n => SetupString(n, "\"1.1\" or \"2\" (a string)"), defaults.Http);
        var tls = AxisCore(find("tls"), entry, null, "", n => Bool(n) is { } b ? new AxisValue<bool>(b, n) : (AxisValue<bool>?)null, defaults.Tls);
        var compression = AxisCore(find("compression"), entry, null, "", n => SetupString(n, "a compression name"), defaults.Compression);
        var heartbeat = AxisCore(find("heartbeat"), entry, null, "", Heartbeat, defaults.Heartbeat);
        var streams = AxisCore(find("streamsPerConnection"), entry, null, "", n => Int(n) is { } i ? new AxisValue<int>(i, n) : (AxisValue<int>?)null, defaults.StreamsPerConnection);
        var via = AxisCore(find("via"), entry, null, "", n => SetupString(n, "\"direct\", an nginx configuration's name or a proxy URL"), defaults.Via);

        var combinations = new List<SetupCombination>();
        foreach (var h in http)
        foreach (var t in tls)
        foreach (var c in compression)
        foreach (var b in heartbeat)
        foreach (var s in streams)
        foreach (var v in via)
        {
            var origins = new Dictionary<string, JsonSourceNode>(StringComparer.Ordinal);
            AddOrigin(origins, "http", h.Node);
            AddOrigin(origins, "tls", t.Node);
            AddOrigin(origins, "compression", c.Node);
            AddOrigin(origins, "heartbeat", b.Node);
            AddOrigin(origins, "streamsPerConnection", s.Node);
            AddOrigin(origins, "via", v.Node);
            var setup = new ConnectionSetup
            {
                Http = h.Value,
                Tls = t.Value,
                Compression = c.Value,
                Heartbeat = b.Value,
                StreamsPerConnection = s.Value,
                Via = v.Value,
            };
            combinations.Add(new SetupCombination(setup, h.Known && t.Known && c.Known && b.Known && s.Known && v.Known, origins));
        }

        return combinations;
    }

    /// <summary>A setup placeholder's text, or null when <paramref name="placeholder"/> is not one of them.</summary>
    private static string? SetupPlaceholder(string placeholder, ConnectionSetup setup) => placeholder switch
    {
        "{http}" => setup.Http == Contracts.HttpVersions.Http2 ? "h2" : "h1",
        "{tls}" => setup.Tls ? "tls" : "plain",
        "{compression}" => NameWord(setup.Compression),
        "{heartbeat}" => setup.Heartbeat is { } beat ? $"{(long)beat.TotalMilliseconds}ms" : "off",
        "{streams}" => setup.StreamsPerConnection.ToString(CultureInfo.InvariantCulture),
        "{via}" => Uri.TryCreate(setup.Via, UriKind.Absolute, out var url) ? NameWord($"{url.Host}_{url.Port}") : NameWord(setup.Via),
        _ => null,
    };

    private const string SetupPlaceholders = "{http}, {tls}, {compression}, {heartbeat}, {streams}, {via}";

    /// <summary>A value as a name may hold it: lower case, every run of other characters one underscore.</summary>
    private static string NameWord(string text) =>
        string.Join('_', NonWord().Split(text.ToLowerInvariant()).Where(part => part.Length > 0));

    private AxisValue<string>? SetupString(JsonSourceNode node, string what)
    {
        if (node is JsonSourceValue { Kind: JsonTokenType.String } value)
        {
            return new AxisValue<string>(value.Text, node);
        }

        Error(node, node.Path, $"must be {what}, got {node.Describe()}");
        return null;
    }

    private bool? Bool(JsonSourceNode node)
    {
        switch (node)
        {
            case JsonSourceValue { Kind: JsonTokenType.True }:
                return true;
            case JsonSourceValue { Kind: JsonTokenType.False }:
                return false;
            default:
                Error(node, node.Path, $"must be true or false, got {node.Describe()}");
                return null;
        }
    }

    /// <summary><c>"off"</c> (no heartbeat at all) or a duration.</summary>
    private AxisValue<TimeSpan?>? Heartbeat(JsonSourceNode node)
    {
        if (node is JsonSourceValue { Kind: JsonTokenType.String } value)
        {
            if (value.Text == "off")
            {
                return new AxisValue<TimeSpan?>(null, node);
            }

            if (DurationText.TryParse(value.Text, out var interval))
            {
                return new AxisValue<TimeSpan?>(interval, node);
            }
        }

        Error(node, node.Path, $"must be \"off\" or a duration like {DurationText.Examples}, got {node.Describe()}");
        return null;
    }
}
