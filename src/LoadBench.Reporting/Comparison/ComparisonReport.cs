using System.Text;
using LoadBench.Contracts;
using LoadBench.Results;

namespace LoadBench.Reporting.Comparison;

/// <summary>
/// <c>loadbench compare A.json B.json</c>: two results side by side, per scenario present in both (matched by
/// name and transport), with absolute and relative deltas — as Markdown and as console text. It states how
/// numbers moved; whether a move is a regression beyond noise is the gate's job (repeated trials).
/// </summary>
public sealed class ComparisonReport
{
    private ComparisonReport(
        string baselineLabel, string candidateLabel, IReadOnlyList<ScenarioComparison> scenarios,
        IReadOnlyList<string> onlyInBaseline, IReadOnlyList<string> onlyInCandidate, IReadOnlyList<string> warnings)
    {
        BaselineLabel = baselineLabel;
        CandidateLabel = candidateLabel;
        Scenarios = scenarios;
        OnlyInBaseline = onlyInBaseline;
        OnlyInCandidate = onlyInCandidate;
        Warnings = warnings;
    }

    /// <summary>What the first results are called in the output, e.g. its file name.</summary>
    public string BaselineLabel { get; }

    public string CandidateLabel { get; }

    /// <summary>Scenarios in both results, in the baseline's order.</summary>
    public IReadOnlyList<ScenarioComparison> Scenarios { get; }

    /// <summary>"name (transport)" of scenarios only the baseline has.</summary>
    public IReadOnlyList<string> OnlyInBaseline { get; }

    public IReadOnlyList<string> OnlyInCandidate { get; }

    /// <summary>Why the two runs may not be comparable: a different scenario file, machine or runtime.</summary>
    public IReadOnlyList<string> Warnings { get; }

    public static ComparisonReport Create(ResultsDocument baseline, ResultsDocument candidate, string baselineLabel = "A", string candidateLabel = "B")
    {
        ArgumentNullException.ThrowIfNull(baseline);
        ArgumentNullException.ThrowIfNull(candidate);
        ArgumentException.ThrowIfNullOrEmpty(baselineLabel);
        ArgumentException.ThrowIfNullOrEmpty(candidateLabel);
        return CreateCore(baseline, candidate, baselineLabel, candidateLabel);
    }

    public string ToMarkdown()
    {
        var md = new StringBuilder();
        md.Append("# LoadBench comparison: ").Append(Md(BaselineLabel)).Append(" → ").Append(Md(CandidateLabel)).Append("\n\n");
        md.Append("Δ is ").Append(Md(CandidateLabel)).Append(" − ").Append(Md(BaselineLabel))
            .Append("; Δ% is relative to ").Append(Md(BaselineLabel)).Append(". ").Append(NoiseNote).Append("\n\n");
        foreach (var warning in Warnings)
        {
            md.Append("> **Warning:** ").Append(Md(warning)).Append("\n\n");
        }

        foreach (var scenario in Scenarios)
        {
            md.Append("## ").Append(Md(scenario.Scenario)).Append(" — ").Append(TransportIds.DisplayName(scenario.Transport)).Append("\n\n");
            md.Append("| Metric | ").Append(Md(BaselineLabel)).Append(" | ").Append(Md(CandidateLabel)).Append(" | Δ | Δ% | |\n");
            md.Append("|:---|---:|---:|---:|---:|:---|\n");
            foreach (var metric in scenario.Metrics)
            {
                md.Append("| ").AppendJoin(" | ", Cells(metric).Select(Md)).Append(" |\n");
            }

            md.Append('\n');
        }

        AppendUnmatched(md, "## Only in ", BaselineLabel, OnlyInBaseline, s => "- " + Md(s));
        AppendUnmatched(md, "## Only in ", CandidateLabel, OnlyInCandidate, s => "- " + Md(s));
        if (Scenarios.Count == 0)
        {
            md.Append("No scenario appears in both results (matched by name, transport and setup).\n");
        }

        return md.ToString();
    }

    /// <summary>Plain text in aligned columns for a terminal; no colour codes, so it can be piped or logged.</summary>
    public string ToText()
    {
        var text = new StringBuilder();
        text.Append("LoadBench comparison: ").Append(BaselineLabel).Append(" -> ").Append(CandidateLabel).Append('\n');
        text.Append("Δ = ").Append(CandidateLabel).Append(" − ").Append(BaselineLabel).Append(". ").Append(NoiseNote).Append('\n');
        foreach (var warning in Warnings)
        {
            text.Append("WARNING: ").Append(warning).Append('\n');
        }

        foreach (var scenario in Scenarios)
        {
            text.Append('\n').Append(scenario.Scenario).Append(" (").Append(TransportIds.DisplayName(scenario.Transport)).Append(")\n");
            string[] header = ["Metric", BaselineLabel, CandidateLabel, "Δ", "Δ%", ""];
            var rows = scenario.Metrics.Select(Cells).Prepend(header).ToList();
            var widths = Enumerable.Range(0, header.Length).Select(c => rows.Max(r => r[c].Length)).ToArray();
            foreach (var row in rows)
            {
                text.Append("  ").Append(row[0].PadRight(widths[0]));
                for (var c = 1; c < row.Length - 1; c++)
                {
                    text.Append("  ").Append(row[c].PadLeft(widths[c]));
                }

                text.Append("  ").Append(row[^1]);
                TrimTrailingSpaces(text);
                text.Append('\n');
            }
        }

        AppendUnmatched(text, "\nOnly in ", BaselineLabel, OnlyInBaseline, s => "  " + s);
        AppendUnmatched(text, "\nOnly in ", CandidateLabel, OnlyInCandidate, s => "  " + s);
        if (Scenarios.Count == 0)
        {
            text.Append("\nNo scenario appears in both results (matched by name, transport and setup).\n");
        }

        return text.ToString();
    }

    private const string NoiseNote = "A single run's difference includes run-to-run noise; `loadbench gate` with repeats tells whether a change is significant.";

    private static ComparisonReport CreateCore(ResultsDocument baseline, ResultsDocument candidate, string baselineLabel, string candidateLabel)
    {
        // The setup is part of the key: a scenario of the same name run over HTTP/2 is another scenario, not a change.
        static (string, string, SetupResult) Key(ScenarioResult s) => (s.Name, s.Transport, SetupResults.Of(s));
        static string Describe(ScenarioResult s) =>
            s.Setup is null ? $"{s.Name} ({TransportIds.DisplayName(s.Transport)})" : $"{s.Name} ({TransportIds.DisplayName(s.Transport)}, {SetupResults.Describe(s.Setup)})";

        var candidates = candidate.Scenarios.GroupBy(Key).ToDictionary(g => g.Key, g => g.First());
        var baselineKeys = baseline.Scenarios.Select(Key).ToHashSet();
        var matched = baseline.Scenarios
            .Where(s => candidates.ContainsKey(Key(s)))
            .Select(s => new ScenarioComparison(s.Name, s.Transport, MetricsOf(s, candidates[Key(s)])))
            .ToList();
        var onlyInBaseline = baseline.Scenarios.Where(s => !candidates.ContainsKey(Key(s))).Select(Describe).ToList();
        var onlyInCandidate = candidate.Scenarios.Where(s => !baselineKeys.Contains(Key(s))).Select(Describe).ToList();
        return new ComparisonReport(baselineLabel, candidateLabel, matched, onlyInBaseline, onlyInCandidate, Warn(baseline.Environment, candidate.Environment));
    }

    private static List<string> Warn(RunEnvironment a, RunEnvironment b)
    {
        var warnings = new List<string>();
        if (!string.Equals(a.ScenarioHash, b.ScenarioHash, StringComparison.OrdinalIgnoreCase))
        {
            warnings.Add($"The scenario files differ ({a.ScenarioName} {Short(a.ScenarioHash)} vs {b.ScenarioName} {Short(b.ScenarioHash)}): the same scenario name may not mean the same load.");
        }

        if (a.ProcessorCount != b.ProcessorCount || !string.Equals(a.Os, b.Os, StringComparison.Ordinal))
        {
            warnings.Add($"The machines differ ({a.ProcessorCount} cores, {a.Os} vs {b.ProcessorCount} cores, {b.Os}).");
        }

        if (!string.Equals(a.DotnetVersion, b.DotnetVersion, StringComparison.Ordinal))
        {
            warnings.Add($"The .NET versions differ ({a.DotnetVersion} vs {b.DotnetVersion}).");
        }

        return warnings;

        static string Short(string hash) => hash[..Math.Min(12, hash.Length)];
    }

    private static List<MetricComparison> MetricsOf(ScenarioResult a, ScenarioResult b)
    {
        static double? Latency(ScenarioResult s, Func<LatencySummary, double> pick) => s.Latency.Event.Count > 0 ? pick(s.Latency.Event) : null;

        return
        [
            new("p50 latency (ms)", "ms", Latency(a, l => l.P50Ms), Latency(b, l => l.P50Ms), LowerIsBetter: true),
            new("p90 latency (ms)", "ms", Latency(a, l => l.P90Ms), Latency(b, l => l.P90Ms), LowerIsBetter: true),
            new("p99 latency (ms)", "ms", Latency(a, l => l.P99Ms), Latency(b, l => l.P99Ms), LowerIsBetter: true),
            new("p99.9 latency (ms)", "ms", Latency(a, l => l.P999Ms), Latency(b, l => l.P999Ms), LowerIsBetter: true),
            new("max latency (ms)", "ms", Latency(a, l => l.MaxMs), Latency(b, l => l.MaxMs), LowerIsBetter: true),
            new("events/s", "/s", a.Throughput.EventsPerSecond, b.Throughput.EventsPerSecond, LowerIsBetter: false),
            new("requests/s", "/s", a.Throughput.RequestsPerSecond, b.Throughput.RequestsPerSecond, LowerIsBetter: null),
            new("bytes/event total (B)", "B", a.Bytes.PerEvent.Total, b.Bytes.PerEvent.Total, LowerIsBetter: true),
            new("bytes/event headers (B)", "B", a.Bytes.PerEvent.Headers, b.Bytes.PerEvent.Headers, LowerIsBetter: true),
            new("bytes/event framing (B)", "B", a.Bytes.PerEvent.Framing, b.Bytes.PerEvent.Framing, LowerIsBetter: true),
            new("lost events", "count", a.Integrity.Lost, b.Integrity.Lost, LowerIsBetter: true),
            new("duplicates", "count", a.Integrity.Duplicates, b.Integrity.Duplicates, LowerIsBetter: true),
            new("reorders", "count", a.Integrity.Reorders, b.Integrity.Reorders, LowerIsBetter: true),
            new("errors", "count", a.Errors.Count, b.Errors.Count, LowerIsBetter: true),
            new("error rate (%)", "%", a.Errors.Rate * 100, b.Errors.Rate * 100, LowerIsBetter: true),
            new("server CPU per 1,000 events (ms)", "ms", a.Server.CpuMsPer1000Events, b.Server.CpuMsPer1000Events, LowerIsBetter: true),
            new("server memory per connection (KiB)", "KiB", a.Server.KibPerConnection, b.Server.KibPerConnection, LowerIsBetter: true),
        ];
    }

    /// <summary>Metric, baseline, candidate, Δ, Δ%, direction — formatted for people.</summary>
    private static string[] Cells(MetricComparison metric)
    {
        const string Missing = "—";
        string Value(double? v) => v is { } x ? FormatValue(metric.Unit, x) : Missing;
        var delta = metric.Delta is { } d ? Format.Signed(FormatValue(metric.Unit, Math.Abs(d)), d) : Missing;
        var percent = metric.DeltaPercent is { } p ? Format.Signed(Format.Rate(Math.Abs(p)), p) + "%" : metric.Delta is null ? Missing : "new";
        return [metric.Metric, Value(metric.Baseline), Value(metric.Candidate), delta, percent, metric.Direction ?? string.Empty];
    }

    private static string FormatValue(string unit, double value) => unit switch
    {
        "ms" => Format.Ms(value),
        "B" or "KiB" => Format.Bytes(value),
        "%" => Format.PercentPoints(value),
        "/s" => Format.Rate(value),
        _ => Format.Count((long)Math.Round(value)),
    };

    private static void AppendUnmatched(StringBuilder builder, string heading, string label, IReadOnlyList<string> names, Func<string, string> line)
    {
        if (names.Count == 0)
        {
            return;
        }

        builder.Append(heading).Append(label).Append('\n');
        if (heading.StartsWith('#'))
        {
            builder.Append('\n');
        }

        foreach (var name in names)
        {
            builder.Append(line(name)).Append('\n');
        }

        builder.Append('\n');
    }

    private static void TrimTrailingSpaces(StringBuilder builder)
    {
        while (builder.Length > 0 && builder[^1] == ' ')
        {
            builder.Length--;
        }
    }

    private static string Md(string text) =>
        text.Replace("_", "\\_", StringComparison.Ordinal).Replace("|", "\\|", StringComparison.Ordinal).Replace("*", "\\*", StringComparison.Ordinal);
}
