using System.Text;
using LoadBench.Gate.Thresholds;

namespace LoadBench.Gate.Tests.Thresholds;

public sealed class ThresholdFileTests
{
    private static readonly PlannedScenario[] Plan =
    [
        new("gate_sse", "sse", "KeepConstant(copies: 3, during: 00:00:03)", 50, 128, 1),
        new("gate_ws", "ws", "KeepConstant(copies: 3, during: 00:00:03)", 50, 128, 1),
    ];

    [Fact]
    public void Parse_KeysAllTransportAndScenario_AppliesToEach()
    {
        var thresholds = Parse("""
            {
              "scenarios": [],
              "thresholds": {
                "all": [ "integrity/lost == 0", "latency/p99 +15%" ],
                "sse": "latency/p99 <= 50ms",
                "gate_ws": [ "bytes/total <= 300" ]
              }
            }
            """);

        Assert.Equal(["all", "all", "sse", "gate_ws"], thresholds.Select(t => t.AppliesTo));
        Assert.Equal(["integrity/lost", "latency/p99", "latency/p99", "bytes/total"], thresholds.Select(t => t.Metric.Name));
        Assert.Equal(new ThresholdSource("gate.json", 4, 37, "thresholds.all[1]"), thresholds[1].Source);
    }

    [Fact]
    public void Parse_BadThreshold_NamesFileLineColumnAndField()
    {
        var error = Assert.Throws<ThresholdFileException>(() => Parse("""
            {
              "thresholds": {
                "all": [
                  "integrity/lost == 0",
                  "p99 <= 50ms"
                ]
              }
            }
            """));

        var only = Assert.Single(error.Errors);
        Assert.Equal(("gate.json", 5, 7, "thresholds.all[1]"), (only.File, only.Line, only.Column, only.Field));
        Assert.StartsWith("gate.json:5:7: field 'thresholds.all[1]': unknown metric 'p99'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_UnknownKey_ListsTheKeysThatWork()
    {
        var error = Assert.Throws<ThresholdFileException>(() => Parse("""
            {
              "thresholds": { "poll": [ "integrity/lost == 0" ] }
            }
            """));

        var only = Assert.Single(error.Errors);
        Assert.Equal((2, 19, "thresholds.poll"), (only.Line, only.Column, only.Field));
        Assert.Contains("a transport this file runs (sse, ws)", only.Message, StringComparison.Ordinal);
        Assert.Contains("gate_sse, gate_ws", only.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_EveryProblemAtOnce_NonStringEmptyListAndWrongShape()
    {
        var error = Assert.Throws<ThresholdFileException>(() => Parse("""
            {
              "thresholds": {
                "all": [ 42, "latency/p99 -5%" ],
                "sse": []
              }
            }
            """));

        Assert.Equal(3, error.Errors.Count);
        Assert.Contains("must be a threshold string", error.Errors[0].Message, StringComparison.Ordinal);
        Assert.Equal("thresholds.all[1]", error.Errors[1].Field);
        Assert.Equal("thresholds.sse", error.Errors[2].Field);
    }

    [Fact]
    public void Parse_RelativeRuleUnderATransport_KeepsTheParsedRuleAndItsKey()
    {
        var threshold = Assert.IsType<RelativeThreshold>(Assert.Single(Parse("""{ "thresholds": { "sse": "latency/p50 +50% (min 2ms)" } }""")));

        Assert.Equal("latency/p50", threshold.Metric.Name);
        Assert.Equal("sse", threshold.AppliesTo);
        Assert.Equal(0.5, threshold.MaxChange, 12);
        Assert.Equal(2, threshold.MinChange);
        Assert.Equal("+50% (min 2 ms)", threshold.DescribeLimit());
        Assert.Equal("latency/p50 +50% (min 2ms)", threshold.Text);
    }

    [Fact]
    public void Parse_KeyWrittenTwiceInThresholds_IsRefusedWithFileLineAndField()
    {
        var error = Assert.Throws<ThresholdFileException>(() => Parse("""
            {
              "thresholds": {
                "sse": [ "latency/p99 <= 50ms" ],
                "sse": [ "latency/p99 <= 5000ms" ]
              }
            }
            """));

        var only = Assert.Single(error.Errors);
        Assert.Equal(("gate.json", 4, 5, "thresholds.sse"), (only.File, only.Line, only.Column, only.Field));
        Assert.Equal("gate.json:4:5: field 'thresholds.sse': is written twice (first at line 3); keep one", error.Message);
    }

    [Fact]
    public void Parse_ContentAfterTheDocument_IsRefusedWithFileAndLine()
    {
        var error = Assert.Throws<ThresholdFileException>(() => Parse("""
            {
              "thresholds": { "all": [ "integrity/lost == 0" ] }
            }
            { "thresholds": { "all": [ "integrity/lost <= 1000" ] } }
            """));

        var only = Assert.Single(error.Errors);
        Assert.Equal(("gate.json", 4, 1), (only.File, only.Line, only.Column));
        Assert.StartsWith("gate.json:4:1: ", error.Message, StringComparison.Ordinal);
        Assert.Contains("after the end of the JSON document", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_NoThresholds_SaysAGateNeedsThem()
    {
        var error = Assert.Throws<ThresholdFileException>(() => Parse("""{ "scenarios": [] }"""));

        Assert.Contains("field 'thresholds': is missing", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ThresholdsNotAnObject_IsAnError()
    {
        var error = Assert.Throws<ThresholdFileException>(() => Parse("""{ "thresholds": [ "integrity/lost == 0" ] }"""));

        Assert.Contains("must be an object whose keys are", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_MalformedJson_NamesTheLine()
    {
        var error = Assert.Throws<ThresholdFileException>(() => Parse("{\n  \"thresholds\": {\n    \"all\": [ \"x\" \n  }\n}"));

        Assert.Equal(4, Assert.Single(error.Errors).Line);
    }

    [Fact]
    public void Parse_CommentsAndTrailingCommas_AreAllowedLikeTheRestOfTheFile()
    {
        var thresholds = Parse("""
            {
              // the gate's rules
              "thresholds": { "all": [ "integrity/lost == 0", ], },
            }
            """);

        Assert.Single(thresholds);
    }

    private static IReadOnlyList<Threshold> Parse(string json) => ThresholdFile.Parse(Encoding.UTF8.GetBytes(json), "gate.json", Plan);
}
