using System.Text;

namespace LoadBench.Cli.Scenarios;

/// <summary>The text of <c>loadbench scenarios</c>: each built-in's name, its description, and what it needs.</summary>
internal static class ScenarioListing
{
    private const int Width = 100;
    private const string Indent = "  ";

    public static string Render(IReadOnlyList<BuiltInScenario> scenarios)
    {
        ArgumentNullException.ThrowIfNull(scenarios);
        var text = new StringBuilder();
        text.AppendLine("Built-in scenarios. Run one with 'loadbench run NAME'; a file of that name in this folder wins.");
        foreach (var scenario in scenarios)
        {
            text.AppendLine();
            // What it needs beside the target goes on the name line, where a reader choosing one looks first.
            text.AppendLine(scenario.Requires.Count == 0 ? scenario.Name : $"{scenario.Name}   (needs {string.Join(", ", scenario.Requires)})");
            foreach (var line in Wrap(scenario.Description.Length == 0 ? "(no description)" : scenario.Description))
            {
                text.Append(Indent).AppendLine(line);
            }
        }

        return text.ToString();
    }

    private static IEnumerable<string> Wrap(string text)
    {
        var line = new StringBuilder();
        foreach (var word in text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.Length > 0 && line.Length + 1 + word.Length > Width - Indent.Length)
            {
                yield return line.ToString();
                line.Clear();
            }

            line.Append(line.Length == 0 ? "" : " ").Append(word);
        }

        if (line.Length > 0)
        {
            yield return line.ToString();
        }
    }
}
