using LoadBench.Cli.Tests.TestSupport;

namespace LoadBench.Cli.Tests.Gate;

/// <summary>
/// A small gate scenario and a fresh baseline made from it once for the class: <c>loadbench gate --repeat 5
/// --save-baseline</c> against an unchanged target, then <c>loadbench baseline save</c> over those five trials'
/// results.json (so both ways of making a baseline are exercised). Five baseline trials against four now give
/// p = 1/126 ≈ 0.008 at full separation, and still p ≤ 0.05 when a stray trial or two overlap (a stall on this
/// busy machine): with 4 against 3 a single overlapping trial made the 20 ms delay "not significant" once.
/// </summary>
public sealed class GateBaselineFixture : IAsyncLifetime
{
    public const int BaselineTrials = 5;

    public const string Repeat = "4";

    public string Folder { get; } = Directory.CreateTempSubdirectory("loadbench-gate-").FullName;

    public string ScenarioFile => Path.Combine(Folder, "gate_e2e.json");

    public string BaselineFile => Path.Combine(Folder, "baselines", "gate_e2e.json");

    internal LoadBenchProcess.Outcome MadeByGate { get; private set; } = null!;

    internal LoadBenchProcess.Outcome MadeBySave { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await File.WriteAllTextAsync(ScenarioFile, """
            {
              "name": "gate_e2e",
              "defaults": { "warmUp": "500ms", "feed": { "ratePerSecond": 50, "payloadBytes": 128 } },
              "scenarios": [
                { "name": "gate_e2e_{transport}", "transport": ["sse", "ws"],
                  "load": [ { "model": "KeepConstant", "copies": 3, "during": "1500ms" } ] }
              ],
              "thresholds": {
                "all": [
                  "integrity/lost == 0",
                  "errors/rate <= 1%",
                  "latency/p50 +100% (min 10ms)",
                  "bytes/total +10%",
                  "throughput/events_per_second -25%"
                ]
              }
            }
            """);

        await using var target = await RunningTarget.StartAsync("--delivery-delay-ms", "0");
        var trials = Path.Combine(Folder, "baseline-run");
        MadeByGate = await LoadBenchProcess.RunAsync(TimeSpan.FromMinutes(3),
            "gate", ScenarioFile, "--repeat", BaselineTrials.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--target", target.BaseAddress.ToString(), "--output", trials, "--save-baseline", Path.Combine(Folder, "from-gate.json"), "--quiet");
        var results = Enumerable.Range(1, BaselineTrials).Select(i => Path.Combine(trials, $"trial-{i}", "results.json"));
        MadeBySave = await LoadBenchProcess.RunAsync(TimeSpan.FromMinutes(1), ["baseline", "save", .. results, "--output", BaselineFile]);
    }

    public Task DisposeAsync()
    {
        Directory.Delete(Folder, recursive: true);
        return Task.CompletedTask;
    }
}
