using System.Globalization;
using System.Xml.Linq;
using LoadBench.Gate.Verdicts;

namespace LoadBench.Gate.Output;

/// <summary>
/// The verdicts as JUnit XML, the shape CI servers read (Jenkins/Ant): one <c>testsuite</c> per gate run, one
/// <c>testcase</c> per threshold, metric and transport (classname <c>loadbench.gate.&lt;scenario&gt;</c>, name
/// <c>sse/latency/p99 +15%</c>), a failed check as <c>&lt;failure message=…&gt;</c>, a skipped one as <c>&lt;skipped/&gt;</c>.
/// </summary>
public static class JUnitReport
{
    public static XDocument Build(GateReport report, DateTimeOffset timestamp, TimeSpan duration)
    {
        ArgumentNullException.ThrowIfNull(report);
        var suite = new XElement("testsuite",
            new XAttribute("name", $"loadbench gate {report.Name}"),
            new XAttribute("tests", report.Checks.Count),
            new XAttribute("failures", report.Checks.Count(c => c.Verdict == Verdict.Fail)),
            new XAttribute("errors", 0),
            new XAttribute("skipped", report.Checks.Count(c => c.Verdict == Verdict.Skipped)),
            new XAttribute("time", Seconds(duration)),
            // xs:dateTime without fractions: every JUnit reader parses that.
            new XAttribute("timestamp", timestamp.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)),
            new XAttribute("hostname", Environment.MachineName),
            new XElement("properties",
                Property("alpha", report.Alpha.ToString(CultureInfo.InvariantCulture)),
                Property("trials", report.CurrentTrials.ToString(CultureInfo.InvariantCulture)),
                Property("baselineTrials", report.BaselineTrials.ToString(CultureInfo.InvariantCulture))));
        foreach (var check in report.Checks)
        {
            suite.Add(TestCase(check));
        }

        var output = string.Join("\n", report.Warnings.Select(w => "warning: " + w).Append(CheckCells.Summary(report)));
        suite.Add(new XElement("system-out", output));
        return new XDocument(new XDeclaration("1.0", "utf-8", null), suite);
    }

    public static async Task WriteAsync(string path, GateReport report, DateTimeOffset timestamp, TimeSpan duration, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        await using var file = File.Create(path);
        await Build(report, timestamp, duration).SaveAsync(file, SaveOptions.None, cancellationToken);
    }

    private static XElement TestCase(GateCheck check)
    {
        var testCase = new XElement("testcase",
            new XAttribute("classname", $"loadbench.gate.{check.Scenario}"),
            new XAttribute("name", $"{check.MetricId} {check.Threshold.DescribeLimit()}"),
            new XAttribute("time", "0"));
        var cells = CheckCells.Row(check);
        var details = string.Join("\n", CheckCells.Headers.Select((h, i) => $"{h}: {cells[i]}"))
            + $"\nthreshold: {check.Threshold.Text} ({check.Threshold.Source})"
            + (check.CurrentTrials.Count > 0 ? $"\ntrials now: {Join(check.CurrentTrials)}" : "")
            + (check.BaselineTrials.Count > 0 ? $"\nbaseline trials: {Join(check.BaselineTrials)}" : "");
        switch (check.Verdict)
        {
            case Verdict.Skipped:
                testCase.Add(new XElement("skipped", check.Explanation));
                break;
            case Verdict.Fail:
                testCase.Add(new XElement("failure",
                    new XAttribute("message", $"{check.MetricId} ({check.Scenario}): {check.Explanation}"),
                    new XAttribute("type", check.PValue is null ? "threshold" : "regression"),
                    details));
                break;
        }

        testCase.Add(new XElement("system-out", $"{check.Explanation}\n{details}"));
        return testCase;
    }

    private static XElement Property(string name, string value) => new("property", new XAttribute("name", name), new XAttribute("value", value));

    private static string Seconds(TimeSpan duration) => duration.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);

    private static string Join(IReadOnlyList<double> values) => string.Join(", ", values.Select(v => v.ToString("0.###", CultureInfo.InvariantCulture)));
}
