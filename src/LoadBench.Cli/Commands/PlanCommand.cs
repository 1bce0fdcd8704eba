using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using LoadBench.Reporting.Capacity;

namespace LoadBench.Cli.Commands;

/// <summary>
/// <c>loadbench plan RESULTS.json --subscribers N --rate R --payload-bytes P</c>: what the target would cost at a
/// scale, projected from a measured run (arithmetic on the results file; nothing is run).
/// </summary>
internal static class PlanCommand
{
    public static Command Create()
    {
        var results = new Argument<FileInfo>("RESULTS.json") { Description = "A results.json written by 'loadbench run' (the target's CPU, memory and bytes are read from it)." };
        var subscribers = new Option<string?>("--subscribers") { Description = "Subscribers connected at once, each receiving every event (required)." };
        var rate = new Option<string?>("--rate") { Description = "Events published per second (required)." };
        var payload = new Option<string?>("--payload-bytes") { Description = "Payload bytes per event (required)." };
        var pollInterval = new Option<string?>("--poll-interval") { Description = "Short polling's interval, e.g. 1s or 250ms (default: as measured)." };
        var cores = new Option<string?>("--instance-cores") { Description = $"Cores of one instance (default {CapacityRequest.DefaultInstanceCores})." };
        var memory = new Option<string?>("--instance-memory-gib") { Description = $"Memory of one instance in GiB (default {CapacityRequest.DefaultInstanceMemoryGiB})." };
        var output = new Option<DirectoryInfo?>("--output", "-o") { Description = "Folder for plan.txt, plan.json (every digit, for scripts) and the charts (plots/capacity-*.png and .svg); none written without it." };
        var command = new Command("plan", $"""
            Project what the target would need for N subscribers at R events/s with P-byte payloads, per transport:
            cores, memory, egress bandwidth and instances of a given size. Linear in connections, deliveries and
            (for short polling) requests, from the scenario with the most clients per transport; the engine's own
            cost is never counted. Prints a table and the assumptions; warns beyond 10x the measured range.

            Examples:
              loadbench plan results.json --subscribers 100000 --rate 1 --payload-bytes 256
              loadbench plan results.json --subscribers 50000 --rate 10 --payload-bytes 1024 --poll-interval 1s --instance-cores 8 --instance-memory-gib 16 -o plan/

            {ExitCodes.HelpText}
            """)
        {
            results, subscribers, rate, payload, pollInterval, cores, memory, output,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var request = Request(parse.GetValue(subscribers), parse.GetValue(rate), parse.GetValue(payload), parse.GetValue(pollInterval),
                parse.GetValue(cores), parse.GetValue(memory), out var why);
            if (request is not null && CapacityPlanner.Invalid(request) is { } invalid)
            {
                (request, why) = (null, invalid);
            }

            if (request is null)
            {
                await Console.Error.WriteLineAsync($"loadbench plan: {why}");
                return ExitCodes.UsageError;
            }

            var file = parse.GetValue(results)!;
            var document = await ResultsInput.ReadAsync(file, cancellationToken);
            if (document is null)
            {
                return ExitCodes.UsageError;
            }

            var (bases, problems) = CapacityBasis.Choose(document);
            if (problems.Count > 0 || bases.Count == 0)
            {
                await Console.Error.WriteLineAsync($"loadbench plan: {file}: cannot project from these results:");
                foreach (var problem in problems.DefaultIfEmpty("the file has no scenarios"))
                {
                    await Console.Error.WriteLineAsync("  " + problem);
                }

                return ExitCodes.UsageError;
            }

            var plan = CapacityPlanner.Plan(bases, request);
            var text = CapacityText.Plain(plan);
            Console.Write(text);
            if (parse.GetValue(output) is { } folder)
            {
                Directory.CreateDirectory(folder.FullName);
                var planFile = Path.Combine(folder.FullName, "plan.txt");
                await File.WriteAllTextAsync(planFile, text, cancellationToken);
                var jsonFile = Path.Combine(folder.FullName, "plan.json");
                await File.WriteAllTextAsync(jsonFile, Json(plan), cancellationToken);
                var charts = CapacityFiles.WriteCharts(plan, document.Environment.ScenarioName, folder.FullName);
                Console.WriteLine();
                Console.WriteLine($"Written: {planFile}");
                Console.WriteLine($"Written: {jsonFile}");
                foreach (var chart in charts)
                {
                    Console.WriteLine($"Written: {chart}");
                }
            }

            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>The projections with every digit, for scripts (scenarios/bench/capacity-check.sh reads it).</summary>
    private static string Json(CapacityPlan plan) => JsonSerializer.Serialize(
        plan.Projections.Select(p => new Dictionary<string, object?>
        {
            ["transport"] = p.Basis.Transport,
            ["projectedFrom"] = p.Basis.ScenarioName,
            ["measuredClients"] = p.Basis.Clients,
            ["subscribers"] = p.Subscribers,
            ["ratePerSecond"] = p.RatePerSecond,
            ["payloadBytes"] = p.PayloadBytes,
            ["pollIntervalMs"] = p.PollIntervalMs,
            ["targetCores"] = p.TargetCores,
            ["targetCpuMsPerSecond"] = p.TargetCores * 1000,
            ["cpuFixedMsPerSecond"] = p.Basis.CpuFit?.FixedMsPerSecond,
            ["cpuMsPerLoadUnit"] = p.Basis.CpuFit?.MsPerLoadUnit,
            ["cpuFitFrom"] = p.Basis.CpuFit is { } f ? new[] { f.LowScenario, f.HighScenario } : null,
            ["cpuFitNote"] = p.Basis.CpuFitNote,
            ["retainedMemoryBytes"] = p.RetainedMemoryBytes,
            ["measuredGrowthBytes"] = p.Basis.MeasuredGrowthBytes,
            ["memoryResolutionBytes"] = p.Basis.MemoryResolution?.Bytes,
            ["memoryResolutionFrom"] = p.Basis.MemoryResolution?.IdleScenario,
            ["memoryResolved"] = p.MemoryResolved,
            ["retainedMemoryLowerBytes"] = p.RetainedMemoryLowerBytes,
            ["retainedMemoryUpperBytes"] = p.RetainedMemoryUpperBytes,
            ["totalMemoryBytes"] = p.TotalMemoryBytes,
            ["egressBitsPerSecond"] = p.EgressBitsPerSecond,
            ["instances"] = p.Instances,
            ["boundBy"] = p.Bound.ToString(),
            ["warnings"] = p.Warnings,
        }),
        JsonOptions);

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    /// <summary>The request from the options' text, or null with why (naming the option).</summary>
    internal static CapacityRequest? Request(string? subscribers, string? rate, string? payload, string? pollInterval, string? cores, string? memory, out string? why)
    {
        why = null;
        if (subscribers is null || rate is null || payload is null)
        {
            why = "--subscribers, --rate and --payload-bytes are required (missing: " +
                string.Join(", ", new[] { (subscribers, "--subscribers"), (rate, "--rate"), (payload, "--payload-bytes") }.Where(o => o.Item1 is null).Select(o => o.Item2)) + ")";
            return null;
        }

        if (!long.TryParse(subscribers, NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out var n)) { why = $"--subscribers must be a whole number, got '{subscribers}'"; return null; }
        if (!Number(rate, out var r)) { why = $"--rate must be a number of events per second, got '{rate}'"; return null; }
        if (!int.TryParse(payload, NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out var p)) { why = $"--payload-bytes must be a whole number of bytes, got '{payload}'"; return null; }
        double? interval = null;
        if (pollInterval is not null)
        {
            if (!Milliseconds(pollInterval, out var ms)) { why = $"--poll-interval must be a duration like 1s or 250ms, got '{pollInterval}'"; return null; }
            interval = ms;
        }

        var c = CapacityRequest.DefaultInstanceCores;
        if (cores is not null && !Number(cores, out c)) { why = $"--instance-cores must be a number, got '{cores}'"; return null; }
        var m = CapacityRequest.DefaultInstanceMemoryGiB;
        if (memory is not null && !Number(memory, out m)) { why = $"--instance-memory-gib must be a number, got '{memory}'"; return null; }
        return new CapacityRequest { Subscribers = n, RatePerSecond = r, PayloadBytes = p, PollIntervalMs = interval, InstanceCores = c, InstanceMemoryGiB = m };
    }

    private static bool Number(string text, out double value) =>
        double.TryParse(text, NumberStyles.Float | NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);

    /// <summary>"250ms", "1s", "1.5s", "2m" → milliseconds.</summary>
    internal static bool Milliseconds(string text, out double ms)
    {
        var (number, factor) = text.EndsWith("ms", StringComparison.Ordinal) ? (text[..^2], 1.0)
            : text.EndsWith('s') ? (text[..^1], 1000.0)
            : text.EndsWith('m') ? (text[..^1], 60_000.0)
            : (text, double.NaN);
        ms = Number(number, out var value) ? value * factor : double.NaN;
        return double.IsFinite(ms);
    }
}
