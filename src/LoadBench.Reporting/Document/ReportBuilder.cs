using System.Globalization;
using LoadBench.Contracts;
using LoadBench.Reporting.Charts;
using LoadBench.Reporting.Insights;
using LoadBench.Reporting.Model;
using LoadBench.Reporting.Noise;
using LoadBench.Results;

namespace LoadBench.Reporting.Document;

/// <summary>Builds the report's blocks and charts from a results document.</summary>
internal static class ReportBuilder
{
    private const string NotApplicable = "—";

    public static ReportModel Build(ResultsDocument results, ReportOptions options)
    {
        ArgumentNullException.ThrowIfNull(results);
        ArgumentNullException.ThrowIfNull(options);
        var run = results.Environment.ScenarioName;
        var blocks = new List<Block>();
        var charts = new List<ChartImage>();

        void AddChart(ChartImage? chart)
        {
            if (chart is not null)
            {
                charts.Add(chart);
                blocks.Add(new Figure(chart));
            }
        }

        if (IncompleteBanner(results) is { } banner)
        {
            blocks.Add(banner);
        }

        blocks.Add(new Paragraph(RunLine(results)));
        blocks.Add(new Heading(2, "What this means"));
        blocks.Add(new Paragraph(string.Join(" ", WhatThisMeans.Sentences(results))));
        AgentsSection.Add(blocks, results);

        if (results.Limits is { Count: > 0 } limits)
        {
            blocks.Add(new Heading(2, "Limits"));
            blocks.Add(new Paragraph("Each transport's load was stepped up ×2 until a rule of the SLO broke, then bisected until the last level that met it " +
                "and the first that did not were within 10 %. The bottleneck is the busiest resource at the first failing step; the label says whose limit it is: " +
                "when target and engine share the cores and together used 90 % of them, the machine's."));
            blocks.Add(LimitsTable(limits));
            if (options.IncludeCharts)
            {
                foreach (var byVary in limits.GroupBy(l => l.Vary, StringComparer.Ordinal))
                {
                    var searches = byVary.ToList();
                    AddChart(LimitsCharts.P99(run, byVary.Key, searches, options));
                    AddChart(LimitsCharts.Throughput(run, byVary.Key, searches, options));
                }
            }
        }

        foreach (var group in SetupGroup.All(results))
        {
            blocks.Add(new Heading(2, group.Setup.Describe()));
            if (FigureCells.Legend(group.Scenarios) is { } legend)
            {
                blocks.Add(new Paragraph(legend));
            }

            blocks.Add(SideBySide(group));
            if (options.IncludeCharts)
            {
                AddChart(LatencySpreadChart.Build(run, group, options));
                AddChart(SpectrumChart.Build(run, group, options));
                AddChart(BytesChart.Build(run, group, options));
                AddChart(TimeSeriesChart.Build(run, group, options));
                AddChart(ServerCostCharts.Cpu(run, group, options));
                AddChart(ServerCostCharts.Memory(run, group, options));
            }
        }

        foreach (var family in ScalingFamily.All(results))
        {
            blocks.Add(new Heading(2, $"Scaling with clients — {family.Describe()}"));
            blocks.Add(new Paragraph("Delivered events per second by client count (every event to every client would be clients × publish rate):"));
            blocks.Add(ScalingTable(family, s => s.Throughput.EventsPerSecond, Format.Rate));
            if (options.IncludeCharts)
            {
                AddChart(ScalingCharts.Throughput(run, family, options));
            }

            blocks.Add(new Paragraph("p99 latency (publish → receive, ms) by client count:"));
            blocks.Add(ScalingTable(family, s => s.Latency.Event.Count > 0 ? s.Latency.Event.P99Ms : null, Format.Ms));
            if (options.IncludeCharts)
            {
                AddChart(ScalingCharts.P99(run, family, options));
            }
        }

        FaultsSection.Add(blocks, results);
        IdleCostSection.Add(blocks, results);
        CapacitySection.Add(blocks, results, run, options, AddChart);

        var errors = results.Scenarios.SelectMany(s => s.Errors.ByKind.Where(k => k.Value > 0).Select(k => (Scenario: s, Kind: k.Key, Count: k.Value))).ToList();
        if (errors.Count > 0)
        {
            blocks.Add(new Heading(2, "Errors by kind"));
            blocks.Add(new Table(
                ["Scenario", "Transport", "Kind", "Count"],
                [.. errors.Select(e => (IReadOnlyList<string>)[e.Scenario.Name, TransportIds.DisplayName(e.Scenario.Transport), e.Kind, Format.Count(e.Count)])]));
        }

        blocks.Add(new Heading(2, "Scenarios run"));
        blocks.Add(ScenarioTable(results));
        return new ReportModel($"LoadBench report: {run}", blocks, charts);
    }

    private static string RunLine(ResultsDocument results)
    {
        var env = results.Environment;
        var duration = env.FinishedAt - env.StartedAt;
        var commit = env.GitCommit is { Length: > 0 } c ? $", commit {c[..Math.Min(12, c.Length)]}" : string.Empty;
        var target = env.TargetStartedByEngine ? "started by the engine" : "already running";
        if (env.ControlUrl is { } control)
        {
            // Behind a proxy the clients' address is not the publisher's: name both, and where the other leg's bytes come from.
            target += $", behind a proxy: control (publisher) {control}; \"at the targets\" rows are the proxy ↔ target leg from the targets' /stats";
        }

        // The engine may store RuntimeInformation.FrameworkDescription (".NET 10.0.1") or a bare version.
        var runtime = env.DotnetVersion.StartsWith(".NET", StringComparison.Ordinal) ? env.DotnetVersion : ".NET " + env.DotnetVersion;
        var hash = env.ScenarioHash[..Math.Min(12, env.ScenarioHash.Length)];
        var when = string.Create(CultureInfo.InvariantCulture, $"run from {env.StartedAt.UtcDateTime:yyyy-MM-dd HH:mm:ss} to {env.FinishedAt.UtcDateTime:HH:mm:ss} UTC");
        return $"Scenario file {env.ScenarioName} (SHA-256 {hash}…), {when} ({Format.Rate(duration.TotalSeconds)} s) " +
            $"on {env.ProcessorCount.ToString(CultureInfo.InvariantCulture)} cores, {env.Os}, {runtime}, LoadBench {env.LoadBenchVersion}{commit}. Target {env.TargetUrl}, {target}. " +
            "Latency is publish → receive per event; bytes are counted on the client's sockets; warm-up is left out." +
            (IsLoopback(env.TargetUrl) ? " " + LoopbackServerCpu : string.Empty);
    }

    /// <summary>Why a loopback run's server CPU reads high. Measured (scenarios/bench/README.md, "Engine tuning, part 4"):
    /// the target's <c>sock_def_readable</c> and what it calls were 13 % of its samples beside an engine that sleeps
    /// between deliveries.</summary>
    internal const string LoopbackServerCpu =
        "Target and clients shared this machine (loopback): a server's write there also does the receiving side's TCP work and " +
        "wakes the client's thread, so the server CPU figures are an upper bound for a server whose clients are on other machines.";

    private static bool IsLoopback(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) &&
        (uri.IsLoopback || (System.Net.IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address) && System.Net.IPAddress.IsLoopback(address)));

    /// <summary>One column per scenario of the setup, one row per metric: the transports side by side. With trials
    /// each figure is their median and range; with one run, p50 and p99 get a row for their interval.</summary>
    private static Table SideBySide(SetupGroup group)
    {
        var scenarios = group.Scenarios;
        var rows = new List<IReadOnlyList<string>>();
        void Row(string label, Func<ScenarioResult, string> value) => rows.Add([label, .. scenarios.Select(value)]);
        void Figure(string label, Func<ScenarioResult, double?> figure, Func<double, string> format) =>
            Row(label, s => FigureCells.Cell(s, figure, format));
        static double? Latency(LatencySummary? summary, Func<LatencySummary, double> pick) => summary is { Count: > 0 } ? pick(summary) : null;
        static string Count(double value) => Format.Count((long)Math.Round(value));
        var trials = scenarios.Any(ScenarioSpread.HasTrials);
        var intervals = !trials && scenarios.Any(s => ScenarioSpread.OfLatency(s, 99) is not null);

        Row("Scenario", s => s.Name + IncompleteMarkText(s));
        if (scenarios.Any(s => s.Setup is { Via: not "direct" }))
        {
            // With TLS or HTTP/2 through a proxy, which leg speaks what: the target's side is plain HTTP/1.x.
            Row("Via", ProxyLegs.Describe);
        }

        if (trials)
        {
            Row("Trials", s => Format.Count(s.Trials?.Count ?? 1));
        }

        if (scenarios.Any(s => s.Setup is not null))
        {
            // Beside the transport: HTTP version, TLS, compression, heartbeat, streams and proxy of each column.
            Row("Setup", s => SetupResults.Describe(s.Setup));
        }

        Row("Poll interval (ms)", s => s.PollIntervalMs is { } i ? Format.Ms(i) : NotApplicable);
        Figure("Measured (s)", s => s.DurationSeconds, Format.Rate);
        Figure("Latency p50 (ms)", s => Latency(s.Latency.Event, l => l.P50Ms), Format.Ms);
        if (intervals)
        {
            Row("Latency p50, 95% interval (ms)", s => FigureCells.Interval(s, 50));
        }

        Figure("Latency p90 (ms)", s => Latency(s.Latency.Event, l => l.P90Ms), Format.Ms);
        Figure("Latency p99 (ms)", s => Latency(s.Latency.Event, l => l.P99Ms), Format.Ms);
        if (intervals)
        {
            Row("Latency p99, 95% interval (ms)", s => FigureCells.Interval(s, 99));
        }

        Figure("Latency p99.9 (ms)", s => Latency(s.Latency.Event, l => l.P999Ms), Format.Ms);
        Figure("Latency max (ms)", s => Latency(s.Latency.Event, l => l.MaxMs), Format.Ms);
        Figure("Request p99 (ms)", s => Latency(s.Latency.Request, l => l.P99Ms), Format.Ms);
        Figure("Events delivered", s => s.Throughput.EventsDelivered, Count);
        Figure("Events/s", s => s.Throughput.EventsPerSecond, Format.Rate);
        Figure("Requests", s => s.Throughput.Requests, Count);
        Figure("Requests/s", s => s.Throughput.RequestsPerSecond, Format.Rate);
        Figure("Empty responses", s => s.Throughput.EmptyResponseShare, Format.Percent);
        Figure("Bytes/event: payload", s => s.Bytes.PerEvent.Payload, Format.Bytes);
        Figure("Bytes/event: framing", s => s.Bytes.PerEvent.Framing, Format.Bytes);
        Figure("Bytes/event: headers", s => s.Bytes.PerEvent.Headers, Format.Bytes);
        if (scenarios.Any(s => s.Bytes.Tls is not null))
        {
            // The fourth part under TLS (handshake and record overhead): without it the parts above would not add
            // up to the total below. "—" on a plain setup, which has none.
            Figure("Bytes/event: TLS", s => s.Bytes.PerEvent.Tls, Format.Bytes);
        }

        Figure("Bytes/event: total", s => s.Bytes.PerEvent.Total, Format.Bytes);
        if (scenarios.Any(s => s.Bytes.Uncompressed is not null) && scenarios.Any(s => s.Server.ResidentKibPerConnection is not null))
        {
            // A compressor's state is native memory: the retained managed heap misses it, resident memory does not.
            Figure("Resident memory per connection (KiB, native included)", s => s.Server.ResidentKibPerConnection, Format.Bytes);
        }
        if (scenarios.Any(s => s.Bytes.Uncompressed is not null))
        {
            // Compressed: the payload above is the compressed body as it crossed the wire; beside it, the split the
            // decoded bytes would have had uncompressed, and by how much the compression shrank the body.
            Figure("Bytes/event uncompressed: payload", s => s.Bytes.Uncompressed?.PerEvent.Payload, Format.Bytes);
            Figure("Bytes/event uncompressed: framing", s => s.Bytes.Uncompressed?.PerEvent.Framing, Format.Bytes);
            Figure("Compression ratio (decoded / compressed body)", s => s.Bytes.Uncompressed?.Ratio, Format.Times);
        }
        if (scenarios.Any(s => s.ServerBytes is not null))
        {
            // Behind a proxy: the bytes above are client ↔ proxy; these are what the targets counted, proxy ↔ target.
            Figure("Bytes/event at the targets: headers", s => s.ServerBytes?.PerEvent.Headers, Format.Bytes);
            Figure("Bytes/event at the targets: total", s => s.ServerBytes?.PerEvent.Total, Format.Bytes);
            Figure("Events sent by the targets (warm-up included)", s => s.ServerBytes?.Events, Count);
        }

        Figure("Lost events", s => s.Integrity.Lost, Count);
        Figure("Duplicates", s => s.Integrity.Duplicates, Count);
        Figure("Reorders", s => s.Integrity.Reorders, Count);
        Figure("Reconnects", s => s.Integrity.Reconnects, Count);
        Row("Errors", s => ScenarioSpread.HasTrials(s)
            ? FigureCells.Cell(s, t => t.Errors.Count, Count)
            : $"{Format.Count(s.Errors.Count)} ({Format.Percent(s.Errors.Rate)})");
        Figure("Server CPU per 1,000 events (ms)", s => s.Server.CpuMsPer1000Events, Format.Ms);
        Figure("Server CPU (cores)", s => s.Server.CpuCores, Format.Rate);
        Figure("Server memory per connection (KiB)", s => s.Server.KibPerConnection, Format.Bytes);
        if (scenarios.Any(s => s.Proxy is not null))
        {
            // Via an nginx the engine started: its CPU is part of the server CPU above, shown apart; its memory is
            // resident memory (master and workers), beside the target's retained heap per connection.
            Figure("nginx CPU per 1,000 events (ms, part of the server's)", s => s.Proxy?.CpuMsPer1000Events, Format.Ms);
            Figure("nginx memory per connection (KiB)", s => s.Proxy?.KibPerConnection, Format.Bytes);
            Figure("nginx memory peak (MiB)", s => s.Proxy is { } p ? p.ResidentBytesPeak / 1024.0 / 1024.0 : null, Format.Rate);
        }

        return new Table(["Metric", .. scenarios.Select(s => group.Label(s) + IncompleteMarkText(s))], rows, [null, .. scenarios.Select(s => (string?)s.Transport)]);
    }

    private static Table ScalingTable(ScalingFamily family, Func<ScenarioResult, double?> figure, Func<double, string> format)
    {
        var rows = family.ClientCounts
            .Select(clients => (IReadOnlyList<string>)[Format.Count(clients), .. family.Series.Select(series =>
                series.Points.FirstOrDefault(p => p.Clients == clients) is { } point ? FigureCells.Cell(point, figure, format) : NotApplicable)])
            .ToList();
        return new Table(["Clients", .. family.Series.Select(s => s.Label)], rows, [null, .. family.Series.Select(s => (string?)s.Transport)]);
    }

    private static Table LimitsTable(IReadOnlyList<LimitSearchResult> limits) => new(
        ["Search", "Transport", "Varied", "Highest met", "First failed", "Broken rule", "Bottleneck", "Whose limit"],
        [.. limits.Select(l => (IReadOnlyList<string>)[
            l.Scenario + (l.Complete ? "" : " (incomplete)"), TransportIds.DisplayName(l.Transport), LimitsCharts.Axis(l.Vary),
            l.HighestMet is { } met ? Format.Rate(met) : NotApplicable,
            l.FirstFailed is { } failed ? Format.Rate(failed) : $"not reached up to {Format.Rate(l.To)}",
            l.BrokenRule ?? NotApplicable, l.Bottleneck ?? NotApplicable, l.Label])]);

    private static Table ScenarioTable(ResultsDocument results) => new(
        ["Scenario", "Transport", "Load simulation", "Clients", "Events/s published", "Payload (B)", "Warm-up (s)", "Measured (s)"],
        [.. results.Scenarios.Select(s => (IReadOnlyList<string>)[
            s.Name + IncompleteMarkText(s), TransportIds.DisplayName(s.Transport), s.LoadSimulation, Format.Count(s.Clients),
            Format.Rate(s.PublishRatePerSecond), Format.Count(s.PayloadBytes), Format.Rate(s.WarmUpSeconds), Format.Rate(s.DurationSeconds)])]);

    /// <summary>What every table adds to an incomplete scenario's name.</summary>
    internal const string IncompleteSuffix = " (incomplete)";

    private static string IncompleteMarkText(ScenarioResult scenario) => scenario.Incomplete is null ? "" : IncompleteSuffix;

    /// <summary>
    /// The warning at the top of an incomplete run's report (or of one holding incomplete scenarios): why it stopped,
    /// and which scenarios' figures cover only the time before the stop.
    /// </summary>
    private static Banner? IncompleteBanner(ResultsDocument results)
    {
        var stopped = results.Scenarios.Where(s => s.Incomplete is not null).ToList();
        if (results.Incomplete is null && stopped.Count == 0)
        {
            return null;
        }

        var lines = new List<string>();
        if (results.Incomplete is { } run)
        {
            lines.Add($"This run did not finish as planned: {run.Reason} (at {run.At.ToString("u", CultureInfo.InvariantCulture)}).");
        }

        lines.AddRange(stopped.Select(s =>
            $"{s.Name} is incomplete: {s.Incomplete!.Reason}. Its figures cover only the {Format.Rate(s.DurationSeconds)} s measured before the stop; compare them with others with care."));
        lines.Add("Scenarios marked \"(incomplete)\" in the tables are those; every other scenario ran to its end.");
        return new Banner("Incomplete run", lines);
    }
}
