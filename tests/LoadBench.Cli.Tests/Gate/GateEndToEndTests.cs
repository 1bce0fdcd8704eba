using System.Xml.Linq;
using System.Xml.Schema;
using LoadBench.Cli.Tests.TestSupport;
using LoadBench.Gate.Baselines;

namespace LoadBench.Cli.Tests.Gate;

/// <summary>
/// The gate with the real engine and target, through the built <c>loadbench</c> program: an unchanged target
/// passes, a target that really delays every delivery by 20 ms fails naming the metric and transport, and
/// broken inputs exit 2 before anything runs.
/// </summary>
public sealed class GateEndToEndTests(GateBaselineFixture fixture) : IClassFixture<GateBaselineFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task Baseline_MadeByGateAndBySave_HoldTheSameTrials()
    {
        Assert.True(fixture.MadeByGate.ExitCode == ExitCodes.Success, Describe(fixture.MadeByGate));
        Assert.True(fixture.MadeBySave.ExitCode == ExitCodes.Success, Describe(fixture.MadeBySave));
        var saved = await BaselineFile.ReadAsync(fixture.BaselineFile, CancellationToken.None);
        var fromGate = await BaselineFile.ReadAsync(Path.Combine(fixture.Folder, "from-gate.json"), CancellationToken.None);

        Assert.Equal(GateBaselineFixture.BaselineTrials, saved.Trials.Count);
        Assert.Equal(fromGate.ScenarioHash, saved.ScenarioHash);
        Assert.Equal(
            fromGate.Trials.SelectMany(t => t.Scenarios).Select(s => s.Latency.Event.Histogram),
            saved.Trials.SelectMany(t => t.Scenarios).Select(s => s.Latency.Event.Histogram));
        Assert.Contains("relative thresholds were skipped", fixture.MadeByGate.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Gate_UnchangedTarget_Passes()
    {
        await using var target = await RunningTarget.StartAsync("--delivery-delay-ms", "0");
        var junit = Path.Combine(fixture.Folder, "unchanged.xml");

        var run = await LoadBenchProcess.RunAsync(Timeout, "gate", fixture.ScenarioFile, "--baseline", fixture.BaselineFile,
            "--repeat", GateBaselineFixture.Repeat, "--target", target.BaseAddress.ToString(), "--output", Path.Combine(fixture.Folder, "unchanged"), "--junit", junit, "--quiet");

        Assert.True(run.ExitCode == ExitCodes.Success, Describe(run));
        Assert.Contains("gate gate_e2e: PASS", run.StandardOutput, StringComparison.Ordinal);
        // Every relative check was really made against the baseline (a p-value), none skipped.
        var suite = ValidJUnit(junit);
        Assert.Equal("10", suite.Attribute("tests")!.Value);
        Assert.Equal("0", suite.Attribute("skipped")!.Value);
        Assert.Equal("0", suite.Attribute("failures")!.Value);
    }

    [Fact]
    public async Task Gate_Target20MsSlower_Exits1_NamingMetricAndTransport()
    {
        await using var target = await RunningTarget.StartAsync("--delivery-delay-ms", "20");
        var junit = Path.Combine(fixture.Folder, "slow.xml");
        var markdown = Path.Combine(fixture.Folder, "slow.md");

        var run = await LoadBenchProcess.RunAsync(Timeout, "gate", fixture.ScenarioFile, "--baseline", fixture.BaselineFile,
            "--repeat", GateBaselineFixture.Repeat, "--target", target.BaseAddress.ToString(), "--output", Path.Combine(fixture.Folder, "slow"), "--junit", junit, "--markdown", markdown, "--quiet");

        Assert.True(run.ExitCode == ExitCodes.ThresholdFailed, Describe(run));
        Assert.Contains("FAIL sse/latency/p50 +100% (min 10 ms) (gate_e2e_sse): regression:", run.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("FAIL ws/latency/p50 +100% (min 10 ms) (gate_e2e_ws): regression:", run.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("gate gate_e2e: FAIL", run.StandardOutput, StringComparison.Ordinal);

        var suite = ValidJUnit(junit);
        var failures = suite.Elements("testcase").SelectMany(c => c.Elements("failure")).ToList();
        var failed = failures.Select(f => f.Parent!.Attribute("name")!.Value).ToList();
        Assert.Contains("sse/latency/p50 +100% (min 10 ms)", failed);
        Assert.Contains("ws/latency/p50 +100% (min 10 ms)", failed);
        Assert.All(failures, f => Assert.Equal("regression", f.Attribute("type")!.Value));
        Assert.Contains("❌ FAIL", await File.ReadAllTextAsync(markdown), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Gate_BrokenBaseline_Exits2_NamingTheFile()
    {
        var broken = Path.Combine(fixture.Folder, "broken-baseline.json");
        await File.WriteAllTextAsync(broken, "{ \"baselineVersion\": 1, \"trials\": [ ");

        var run = await LoadBenchProcess.RunAsync(Timeout, "gate", fixture.ScenarioFile, "--baseline", broken, "--quiet");

        Assert.True(run.ExitCode == ExitCodes.UsageError, Describe(run));
        Assert.Contains(broken, run.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("trial 1", run.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Gate_BaselineWithoutAScenario_Exits2_SayingWhich()
    {
        var other = Path.Combine(fixture.Folder, "other-baseline.json");
        var text = await File.ReadAllTextAsync(fixture.BaselineFile);
        await File.WriteAllTextAsync(other, text.Replace("\"gate_e2e_ws\"", "\"renamed_ws\"", StringComparison.Ordinal));

        var run = await LoadBenchProcess.RunAsync(Timeout, "gate", fixture.ScenarioFile, "--baseline", other, "--quiet");

        Assert.True(run.ExitCode == ExitCodes.UsageError, Describe(run));
        Assert.Contains("has no scenario 'gate_e2e_ws' (it has: gate_e2e_sse, renamed_ws)", run.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Gate_BadThreshold_Exits2_NamingFileLineAndField()
    {
        var file = Path.Combine(fixture.Folder, "bad-thresholds.json");
        var text = await File.ReadAllTextAsync(fixture.ScenarioFile);
        await File.WriteAllTextAsync(file, text.Replace("\"errors/rate <= 1%\"", "\"errors/rate <= 1\"", StringComparison.Ordinal));

        var run = await LoadBenchProcess.RunAsync(Timeout, "gate", file, "--baseline", fixture.BaselineFile, "--quiet");

        Assert.True(run.ExitCode == ExitCodes.UsageError, Describe(run));
        Assert.Contains($"{file}:11:", run.StandardError, StringComparison.Ordinal);
        Assert.Contains("field 'thresholds.all[1]': 'errors/rate' takes %", run.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_NamesTheGateAndItsExitCodes()
    {
        var run = await LoadBenchProcess.RunAsync(Timeout, "gate", "--help");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("--baseline", run.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("--repeat", run.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("Exit codes: 0 pass, 1 a threshold or regression failed, 2 usage or configuration error, 3 the run itself failed", run.StandardOutput, StringComparison.Ordinal);
    }

    private static XElement ValidJUnit(string path)
    {
        var schemas = new XmlSchemaSet();
        schemas.Add(null, Path.Combine(LoadBenchProcess.RepositoryRoot, "tests", "LoadBench.Gate.Tests", "Output", "junit.xsd"));
        var document = XDocument.Load(path);
        document.Validate(schemas, (_, e) => Assert.Fail($"{path} does not validate against the JUnit schema: {e.Message}"));
        return document.Root!;
    }

    private static string Describe(LoadBenchProcess.Outcome run) => $"exit {run.ExitCode}\n{run.StandardOutput}\n{run.StandardError}";
}
