using System.Text;
using System.Xml;
using System.Xml.Linq;
using System.Xml.Schema;
using LoadBench.Gate.Output;
using LoadBench.Gate.Tests.TestSupport;
using LoadBench.Gate.Tests.Verdicts;
using LoadBench.Gate.Thresholds;
using LoadBench.Gate.Verdicts;

namespace LoadBench.Gate.Tests.Output;

public sealed class GateOutputTests
{
    private static readonly PlannedScenario[] Plan = [new("gate_sse", "sse", "x", 50, 64, 0.5)];

    [Fact]
    public void JUnit_ValidatesAgainstTheJUnitSchema_WithFailureSkippedAndPass()
    {
        var document = JUnitReport.Build(MixedReport(), new DateTimeOffset(2026, 11, 25, 13, 0, 0, TimeSpan.Zero), TimeSpan.FromSeconds(42.5));

        Validate(document);
        var suite = document.Root!;
        Assert.Equal("testsuite", suite.Name.LocalName);
        Assert.Equal("4", suite.Attribute("tests")!.Value);
        Assert.Equal("1", suite.Attribute("failures")!.Value);
        Assert.Equal("1", suite.Attribute("skipped")!.Value);
        var cases = suite.Elements("testcase").ToList();
        Assert.All(cases, c => Assert.Equal("loadbench.gate.gate_sse", c.Attribute("classname")!.Value));
        var failure = Assert.Single(cases.SelectMany(c => c.Elements("failure")));
        Assert.Equal("sse/latency/p50 +50%", failure.Parent!.Attribute("name")!.Value);
        Assert.StartsWith("sse/latency/p50 (gate_sse): regression:", failure.Attribute("message")!.Value, StringComparison.Ordinal);
        Assert.Equal("regression", failure.Attribute("type")!.Value);
        Assert.Single(cases.SelectMany(c => c.Elements("skipped")));
    }

    [Fact]
    public async Task JUnit_WrittenToAFile_StillValidates()
    {
        var path = Path.Combine(Path.GetTempPath(), $"loadbench-junit-{Guid.NewGuid():N}.xml");
        try
        {
            await JUnitReport.WriteAsync(path, MixedReport(), DateTimeOffset.UtcNow, TimeSpan.FromSeconds(1), CancellationToken.None);

            Validate(XDocument.Load(path));
            Assert.StartsWith("<?xml version=\"1.0\" encoding=\"utf-8\"?>", await File.ReadAllTextAsync(path), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void SchemaItself_RejectsAFailureOutsideATestCase()
    {
        // The validation above means something only if the schema can say no.
        var bad = XDocument.Parse("<testsuite name=\"x\" tests=\"1\"><failure message=\"m\"/></testsuite>");

        Assert.Throws<XmlSchemaValidationException>(() => Validate(bad));
    }

    [Fact]
    public void Console_HasTheColumnsAndNamesTheFailure()
    {
        var text = ConsoleTable.Render(MixedReport());

        var header = text.Split('\n')[0];
        foreach (var column in new[] { "metric", "transport", "baseline", "current", "change", "limit", "p-value", "verdict" })
        {
            Assert.Contains(column, header, StringComparison.Ordinal);
        }

        Assert.Contains("FAIL sse/latency/p50 +50% (gate_sse): regression:", text, StringComparison.Ordinal);
        Assert.Contains("gate t: FAIL — 1 of 3 check(s) failed: sse/latency/p50 (gate_sse)", text, StringComparison.Ordinal);
        Assert.Contains("0.004", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Markdown_IsATableWithOneRowPerCheck()
    {
        var text = MarkdownSummary.Render(MixedReport());
        var rows = text.Split('\n').Where(l => l.StartsWith("| gate_sse", StringComparison.Ordinal)).ToList();

        Assert.StartsWith("## LoadBench gate `t`: ❌ FAIL", text, StringComparison.Ordinal);
        Assert.Equal(4, rows.Count);
        Assert.Contains(rows, r => r.Contains("**FAIL**", StringComparison.Ordinal) && r.Contains("latency/p50", StringComparison.Ordinal));
        Assert.Contains("| scenario | metric | transport | baseline | current | change | limit | p-value | verdict |", text, StringComparison.Ordinal);
        Assert.Contains("&lt;= 0", text, StringComparison.Ordinal);
    }

    /// <summary>One failing regression, one passing absolute, one passing relative, one skipped.</summary>
    private static GateReport MixedReport()
    {
        var thresholds = ThresholdFile.Parse(Encoding.UTF8.GetBytes("""
            {"thresholds":{"all":["latency/p50 +50%","integrity/lost <= 0","bytes/total +5%","request_latency/p99 <= 1s"]}}
            """), "gate.json", Plan);
        var baseline = GateEvaluatorTests.Baseline(Trials.SseWithP50(1, 1.1, 0.9, 1.05, 0.95));
        return GateEvaluator.Evaluate("t", thresholds, Trials.SseWithP50(21, 22, 21.5, 20.8, 21.2), baseline);
    }

    private static void Validate(XDocument document)
    {
        var schemas = new XmlSchemaSet();
        schemas.Add(null, Path.Combine(AppContext.BaseDirectory, "Output", "junit.xsd"));
        document.Validate(schemas, (_, e) => throw new XmlSchemaValidationException($"{e.Severity}: {e.Message}", e.Exception));
    }
}
