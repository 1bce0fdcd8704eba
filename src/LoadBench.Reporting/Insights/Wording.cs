using LoadBench.Contracts;
using LoadBench.Reporting.Model;
using LoadBench.Results;

namespace LoadBench.Reporting.Insights;

/// <summary>How the "what this means" sentences name things: transports, lists, plurals.</summary>
internal static class Wording
{
    /// <summary>The scenario's label inside a sentence: "short polling", "Server-Sent Events".</summary>
    public static string Name(SetupGroup group, ScenarioResult scenario, bool capital = false)
    {
        var label = group.Label(scenario);
        return capital ? Capitalize(label) : LowerTransportWord(label, scenario.Transport);
    }

    public static string Lower(string transport) => LowerTransportWord(TransportIds.DisplayName(transport), transport);

    // "Short polling" and "Long polling" are common nouns; "Server-Sent Events" and "WebSocket" are names.
    public static string LowerTransportWord(string label, string transport) =>
        transport is TransportIds.Polling or TransportIds.LongPolling && label.Length > 0
            ? char.ToLowerInvariant(label[0]) + label[1..]
            : label;

    public static string Capitalize(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];

    public static string Plural(long count, string noun) => count == 1 ? noun : noun + "s";

    public static string JoinAnd(IEnumerable<string> items)
    {
        var list = items.ToList();
        return list.Count switch
        {
            0 => string.Empty,
            1 => list[0],
            2 => $"{list[0]} and {list[1]}",
            _ => string.Join(", ", list.Take(list.Count - 1)) + " and " + list[^1],
        };
    }
}
