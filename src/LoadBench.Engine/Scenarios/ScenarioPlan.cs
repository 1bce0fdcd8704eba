using System.Security.Cryptography;
using System.Text;

namespace LoadBench.Engine.Scenarios;

/// <summary>What a scenario file (or code) asks to run: its scenarios in order, and a hash that says whether
/// two results ran the same plan.</summary>
/// <param name="Name">snake_case plan name (the file's <c>name</c>, or its file name).</param>
/// <param name="Hash">SHA-256 of the scenario file's bytes, lower-case hex.</param>
/// <param name="Scenarios">Expanded, validated scenarios, in file order.</param>
/// <param name="SourcePath">The file it came from, if any.</param>
public sealed record ScenarioPlan(string Name, string Hash, IReadOnlyList<Scenario> Scenarios, string? SourcePath = null)
{
    /// <summary>The file's <c>description</c>: what the plan is for, in a sentence or two.</summary>
    public string? Description { get; init; }

    /// <summary>What the scenarios need beyond the target (the file's <c>requires</c>): <c>nginx</c>,
    /// <c>nats</c>; empty when the target alone will do.</summary>
    public IReadOnlyList<string> Requires { get; init; } = [];

    /// <summary>A plan built in code; its hash covers each scenario's description so equal plans hash equal.</summary>
    public static ScenarioPlan FromScenarios(string name, IReadOnlyList<Scenario> scenarios)
    {
        ArgumentNullException.ThrowIfNull(scenarios);
        foreach (var scenario in scenarios)
        {
            ScenarioValidator.EnsureValid(scenario);
        }

        // A record prints its lists by type name: the load and the faults are spelled out (faults only when there are
        // some, so plans without them hash as before).
        var text = string.Join('\n', scenarios.Select(s => s.ToString() + " " + s.DescribeLoad()
            + (s.Faults.Count > 0 ? " faults " + string.Join(", ", s.Faults.Select(f => f.Describe())) : "")));
        return new ScenarioPlan(name, HashBytes(Encoding.UTF8.GetBytes(text)), scenarios);
    }

    public static string HashBytes(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
