using LoadBench.Gate.Baselines;
using LoadBench.Gate.Tests.TestSupport;
using LoadBench.Gate.Thresholds;
using LoadBench.Results;

namespace LoadBench.Gate.Tests.Baselines;

public sealed class BaselineFileTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("loadbench-baseline-").FullName;

    [Fact]
    public async Task WriteThenRead_KeepsEveryTrialsFiguresAndDropsTimeSeries()
    {
        var trials = Trials.SseWithP50(1, 2, 3);
        var withSeries = trials[0] with
        {
            Scenarios = [trials[0].Scenarios[0] with { TimeSeries = [new TimeSeriesPoint { T = 1, EventsPerSecond = 5, P50Ms = 1, P99Ms = 2, Clients = 3 }] }],
        };
        var baseline = BaselineFile.Create("gate", [(withSeries, "a.json"), (trials[1], "b.json"), (trials[2], "c.json")], DateTimeOffset.UnixEpoch);
        var path = Path.Combine(_folder, "baselines", "gate.json");

        await BaselineFile.WriteAsync(path, baseline, CancellationToken.None);
        var read = await BaselineFile.ReadAsync(path, CancellationToken.None);

        Assert.Equal(3, read.Trials.Count);
        Assert.Equal(["a.json", "b.json", "c.json"], read.Sources);
        Assert.Equal(trials.Select(t => t.Scenarios[0].Latency.Event.P50Ms), read.Trials.Select(t => t.Scenarios[0].Latency.Event.P50Ms));
        Assert.Equal(trials[1].Scenarios[0].Latency.Event.Histogram, read.Trials[1].Scenarios[0].Latency.Event.Histogram);
        Assert.Empty(read.Trials[0].Scenarios[0].TimeSeries);
        Assert.Equal(Trials.Hash, read.ScenarioHash);
    }

    [Fact]
    public void Create_TrialsOfDifferentScenarioFiles_IsRefusedNamingTheFile()
    {
        var other = Trials.Document(new string('f', 64), Trials.Scenario("gate_sse", "sse", Trials.Constant(1)));

        var error = Assert.Throws<BaselineFormatException>(() =>
            BaselineFile.Create("gate", [(Trials.SseWithP50(1)[0], "a.json"), (other, "b.json")], DateTimeOffset.UnixEpoch));

        Assert.Contains("b.json ran a different scenario file than a.json", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_AnIncompleteTrial_IsRefusedNamingTheFileAndWhy()
    {
        var trials = Trials.SseWithP50(1, 2);
        var stopped = trials[1] with { Incomplete = new IncompleteMark { Reason = "interrupted (Ctrl-C)", At = DateTimeOffset.UnixEpoch } };

        var error = Assert.Throws<BaselineFormatException>(() =>
            BaselineFile.Create("gate", [(trials[0], "a.json"), (stopped, "b.json")], DateTimeOffset.UnixEpoch));

        Assert.Contains("b.json is marked incomplete (interrupted (Ctrl-C))", error.Message, StringComparison.Ordinal);
        Assert.Contains("cannot be a baseline", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{ \"baselineVersion\": 1, \"name\": ", ":1:")]
    [InlineData("{ \"name\": \"x\" }", "field 'baselineVersion' is missing")]
    [InlineData("{ \"baselineVersion\": 2 }", "baselineVersion 2 is not supported")]
    [InlineData("{ \"baselineVersion\": 1, \"name\": \"x\" }", "missing required properties")]
    [InlineData("[1, 2]", "field 'baselineVersion' is missing")]
    public void Parse_Broken_SaysWhatAndWhere(string json, string expected)
    {
        var error = Assert.Throws<BaselineFormatException>(() => BaselineFile.Parse(json, "base.json"));

        Assert.StartsWith("base.json", error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_NoTrials_IsRefused()
    {
        var json = """{ "baselineVersion": 1, "name": "x", "createdAt": "2026-01-01T00:00:00Z", "scenarioName": "x", "scenarioHash": "h", "trials": [] }""";

        var error = Assert.Throws<BaselineFormatException>(() => BaselineFile.Parse(json, "base.json"));

        Assert.Contains("field 'trials' is empty", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Compatibility_MissingScenarioOrChangedLoad_AreProblems()
    {
        var baseline = BaselineFile.Create("gate", [(Trials.SseWithP50(1)[0], "a.json")], DateTimeOffset.UnixEpoch);
        var plan = new PlannedScenario[]
        {
            new("gate_sse", "sse", "KeepConstant(copies: 9, during: 00:00:01)", 50, 64, 0.5),
            new("gate_ws", "ws", "KeepConstant(copies: 3, during: 00:00:01)", 50, 64, 0.5),
        };

        var outcome = BaselineCompatibility.Check(baseline, "base.json", plan, Trials.Hash);

        Assert.Equal(2, outcome.Problems.Count);
        Assert.Contains("scenario 'gate_sse' ran differently in the baseline (load KeepConstant(copies: 3, during: 00:00:01) then, KeepConstant(copies: 9, during: 00:00:01) now)",
            outcome.Problems[0], StringComparison.Ordinal);
        Assert.Contains("has no scenario 'gate_ws' (it has: gate_sse)", outcome.Problems[1], StringComparison.Ordinal);
    }

    [Fact]
    public void Compatibility_SameScenariosEditedFile_IsOnlyANote()
    {
        var baseline = BaselineFile.Create("gate", [(Trials.SseWithP50(1)[0], "a.json")], DateTimeOffset.UnixEpoch);
        var plan = new PlannedScenario[] { new("gate_sse", "sse", "KeepConstant(copies: 3, during: 00:00:01)", 50, 64, 0.5) };

        var outcome = BaselineCompatibility.Check(baseline, "base.json", plan, "another-hash");

        Assert.Empty(outcome.Problems);
        Assert.Contains(outcome.Notes, n => n.Contains("scenario file changed", StringComparison.Ordinal));
    }

    [Fact]
    public void Compatibility_AnotherSetup_IsAProblem_AnHttp11BaselineNeverJudgesAnHttp2Run()
    {
        var baseline = BaselineFile.Create("gate", [(Trials.SseWithP50(1)[0], "a.json")], DateTimeOffset.UnixEpoch);
        var plan = new PlannedScenario[]
        {
            new("gate_sse", "sse", "KeepConstant(copies: 3, during: 00:00:01)", 50, 64, 0.5) { Setup = new SetupResult { Http = "2", Tls = true } },
        };

        var outcome = BaselineCompatibility.Check(baseline, "base.json", plan, Trials.Hash);

        var problem = Assert.Single(outcome.Problems);
        Assert.Contains("scenario 'gate_sse' ran differently in the baseline (setup HTTP/1.1 · plain · no compression · no heartbeat · direct then, " +
            "HTTP/2 · TLS · no compression · no heartbeat · direct now)", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Compatibility_DefaultSetupWrittenOrNot_IsTheSameScenario()
    {
        var baseline = BaselineFile.Create("gate", [(Trials.SseWithP50(1)[0], "a.json")], DateTimeOffset.UnixEpoch);
        var plan = new PlannedScenario[] { new("gate_sse", "sse", "KeepConstant(copies: 3, during: 00:00:01)", 50, 64, 0.5) { Setup = new SetupResult() } };

        Assert.Empty(BaselineCompatibility.Check(baseline, "base.json", plan, Trials.Hash).Problems);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
