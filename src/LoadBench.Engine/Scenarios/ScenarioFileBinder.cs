using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using LoadBench.Contracts;
using LoadBench.Engine.Limits;
using LoadBench.Engine.Transports;
using LoadBench.Syntax.Json;

namespace LoadBench.Engine.Scenarios;

/// <summary>
/// Turns the parsed file into scenarios: applies file-level <c>defaults</c>, expands list-valued axes
/// (<c>transport</c>, <c>copies</c>, <c>feed.ratePerSecond</c>, <c>pollInterval</c>) into one scenario per
/// combination, and reports each problem at the node it came from.
/// </summary>
internal sealed partial class ScenarioFileBinder(string file)
{
    private static readonly string[] Models = [nameof(KeepConstant), nameof(RampingConstant), nameof(Inject), nameof(RampingInject)];

    private readonly List<JsonSourceError> _errors = [];
    private readonly HashSet<JsonSourceError> _seen = [];

    // Problems met, repeats included: an entry is complete when reading it met none, even one already listed.
    private int _problems;

    public IReadOnlyList<JsonSourceError> Errors => _errors;

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex Placeholder();

    public (string Name, string? Description, IReadOnlyList<string> Requires, IReadOnlyList<Scenario> Scenarios) Bind(JsonSourceNode root)
    {
        var scenarios = new List<Scenario>();
        var planName = DefaultPlanName();
        if (root is not JsonSourceObject rootObject)
        {
            Error(root, "", $"a scenario file is a JSON object with 'scenarios' (see scenarios/README.md), got {root.Describe()}");
            return (planName, null, [], scenarios);
        }

        CheckFields(rootObject, ScenarioFileFields.Root);
        if (rootObject["name"] is { } nameNode && String(nameNode) is { } name)
        {
            if (ScenarioValidator.IsSnakeCase(name))
            {
                planName = name;
            }
            else
            {
                Error(nameNode, nameNode.Path, $"must be snake_case, got \"{name}\"");
            }
        }

        // Only for editors (scenarios/scenario.schema.json): any string will do.
        if (rootObject["$schema"] is { } schema)
        {
            String(schema);
        }

        var description = rootObject["description"] is { } descriptionNode ? String(descriptionNode) : null;
        var requires = Requires(rootObject["requires"]);

        var defaults = rootObject["defaults"] switch
        {
            null => null,
            JsonSourceObject o => o,
            var other => ErrorAnd<JsonSourceObject>(other, other.Path, $"must be an object of default scenario fields, got {other.Describe()}"),
        };
        if (defaults is not null)
        {
            CheckFields(defaults, ScenarioFileFields.Defaults);
            if (defaults["feed"] is JsonSourceObject feedDefaults)
            {
                CheckFields(feedDefaults, ScenarioFileFields.Feed);
            }
        }

        switch (rootObject["scenarios"])
        {
            case null:
                Error(rootObject, "scenarios", "is required: a list of scenarios, e.g. [{ \"name\": \"sse_10\", \"transport\": \"sse\", ... }]");
                break;
            case JsonSourceArray { Items.Count: 0 } empty:
                Error(empty, empty.Path, "must hold at least one scenario");
                break;
            case JsonSourceArray entries:
                var names = new Dictionary<string, JsonSourceNode>(StringComparer.Ordinal);
                foreach (var entry in entries.Items)
                {
                    foreach (var (scenario, nameAt) in BindEntry(entry, defaults))
                    {
                        if (names.TryGetValue(scenario.Name, out var first))
                        {
                            Error(nameAt, nameAt.Path,
                                $"scenario name \"{scenario.Name}\" is used twice (first at line {first.Line}); names must be unique — add placeholders such as {{transport}}, {{copies}}, {{rate}} or {{pollInterval}} to a name that expands over lists");
                        }
                        else
                        {
                            names[scenario.Name] = nameAt;
                            scenarios.Add(scenario);
                        }
                    }
                }

                break;
            case var other:
                Error(other, other.Path, $"must be a list of scenarios, got {other.Describe()}");
                break;
        }

        return (planName, description, requires, scenarios);
    }

    /// <summary>What the file's scenarios need beyond the target (a listing of scenarios shows it).</summary>
    private List<string> Requires(JsonSourceNode? node)
    {
        var requires = new List<string>();
        var known = string.Join(", ", ScenarioFileFields.Requirements);
        if (node is null)
        {
            return requires;
        }

        if (node is not JsonSourceArray list)
        {
            Error(node, node.Path, $"must be a list of what the scenarios need beyond the target ({known}), got {node.Describe()}");
            return requires;
        }

        foreach (var item in list.Items)
        {
            if (String(item) is not { } need)
            {
                continue;
            }

            if (!ScenarioFileFields.Requirements.Contains(need))
            {
                Error(item, item.Path, $"unknown requirement \"{need}\"; expected one of {known}");
            }
            else if (requires.Contains(need))
            {
                Error(item, item.Path, $"\"{need}\" is listed twice");
            }
            else
            {
                requires.Add(need);
            }
        }

        return requires;
    }

    private IEnumerable<(Scenario Scenario, JsonSourceNode NameAt)> BindEntry(JsonSourceNode entryNode, JsonSourceObject? defaults)
    {
        if (entryNode is not JsonSourceObject entry)
        {
            Error(entryNode, entryNode.Path, $"must be a scenario object, got {entryNode.Describe()}");
            yield break;
        }

        CheckFields(entry, ScenarioFileFields.Entry);
        if (entry["feed"] is JsonSourceObject feedOverride)
        {
            CheckFields(feedOverride, ScenarioFileFields.Feed);
        }

        JsonSourceNode? Find(string field) => entry[field] ?? defaults?[field];
        JsonSourceNode? FindFeed(string field) =>
            (entry["feed"] as JsonSourceObject)?[field] ?? (defaults?["feed"] as JsonSourceObject)?[field];
        foreach (var feedNode in new[] { entry["feed"], defaults?["feed"] })
        {
            if (feedNode is not null and not JsonSourceObject)
            {
                Error(feedNode, feedNode.Path, $"must be an object {{ \"ratePerSecond\": 10, \"payloadBytes\": 256 }}, got {feedNode.Describe()}");
            }
        }

        // Everything is read and checked even when something is missing, so one run names every problem;
        // only a complete entry becomes scenarios.
        var problemsBefore = _problems;
        var nameNode = entry["name"];
        var nameTemplate = nameNode is null ? null : String(nameNode);
        if (nameNode is null)
        {
            Error(entry, $"{entry.Path}.name", "is required: a snake_case name such as \"sse_100_clients\"");
        }

        var transports = Axis(Find("transport"), entry, $"{entry.Path}.transport", "one of poll, longpoll, sse, ws (or a list of them)", String);
        var copies = Axis<int>(Find("copies"), entry, null, "", Int, 0);
        var rates = Axis<double>(FindFeed("ratePerSecond"), entry, $"{entry.Path}.feed.ratePerSecond", "the feed's events per second (or a list)", Number, 0);
        var pollIntervals = Axis<TimeSpan>(Find("pollInterval"), entry, null, "", Duration, new ClientSpec().PollInterval);
        // A single compression per entry: a stand-in until the production-path dimensions (lists, placeholders) land.
        var compressionNode = Find("compression");
        var compression = compressionNode is null ? CompressionKinds.None : String(compressionNode);
        if (compressionNode is not null && compression is not null && !CompressionKinds.All.Contains(compression))
        {
            Error(compressionNode, compressionNode.Path, $"must be one of {string.Join(", ", CompressionKinds.All)}, got \"{compression}\"");
            compression = null;
        }

        var payloadNode = FindFeed("payloadBytes");
        var payload = payloadNode is null ? null : Int(payloadNode);
        if (payloadNode is null)
        {
            Error(entry, $"{entry.Path}.feed.payloadBytes", "is required (here or in defaults.feed): the size of each event's data in bytes");
        }

        var warmUpNode = Find("warmUp");
        var warmUp = warmUpNode is null ? TimeSpan.Zero : Duration(warmUpNode);
        var longPollNode = Find("longPollTimeout");
        var longPoll = longPollNode is null ? TimeSpan.FromMilliseconds(FeedRoutes.DefaultLongPollTimeoutMs) : Duration(longPollNode);
        var maxPerPollNode = Find("maxPerPoll");
        var maxPerPoll = maxPerPollNode is null ? FeedRoutes.DefaultPollMax : Int(maxPerPollNode);
        var clientsNode = Find("clients");
        var clients = clientsNode is null ? null : Int(clientsNode);

        var reconnectNode = Find("reconnect");
        var reconnect = reconnectNode is null ? ReconnectPolicy.Default : BindReconnect(reconnectNode);

        var searchNode = Find("search");
        var search = searchNode is null ? null : BindSearch(searchNode);

        var faultsNode = Find("faults");
        var faultOrigins = new Dictionary<string, JsonSourceNode>(StringComparer.Ordinal);
        var faults = faultsNode is null ? null : BindFaults(faultsNode, faultOrigins);

        var loadNode = Find("load");
        if (loadNode is null)
        {
            Error(entry, $"{entry.Path}.load", "is required: a list of load steps, e.g. [{ \"model\": \"KeepConstant\", \"copies\": 10, \"during\": \"10s\" }]");
        }
        else if (loadNode is not JsonSourceArray)
        {
            Error(loadNode, loadNode.Path, $"must be a list of load steps, got {loadNode.Describe()}");
        }

        if (search is not null && loadNode is JsonSourceArray { Items: [JsonSourceObject first, ..] }
            && first["model"] is JsonSourceValue { Text: nameof(Inject) or nameof(RampingInject) })
        {
            Error(searchNode!, searchNode!.Path, "a limit search steps closed load (copies): use KeepConstant or RampingConstant in 'load'");
        }

        var complete = _problems == problemsBefore;
        foreach (var transport in transports)
        foreach (var copy in copies)
        foreach (var rate in rates)
        foreach (var pollInterval in pollIntervals)
        {
            var origins = new Dictionary<string, JsonSourceNode>(StringComparer.Ordinal)
            {
                ["transport"] = transport.Node ?? entry,
                ["feed.ratePerSecond"] = rate.Node ?? entry,
            };
            AddOrigin(origins, "name", nameNode);
            AddOrigin(origins, "feed.payloadBytes", payloadNode);
            AddOrigin(origins, "load", loadNode);
            AddOrigin(origins, "warmUp", warmUpNode);
            AddOrigin(origins, "longPollTimeout", longPollNode);
            AddOrigin(origins, "maxPerPoll", maxPerPollNode);
            AddOrigin(origins, "clients", clientsNode);
            AddOrigin(origins, "pollInterval", pollInterval.Node);
            AddOrigin(origins, "faults", faultsNode);
            foreach (var (field, node) in faultOrigins)
            {
                origins[field] = node;
            }

            var problemsBeforeCombination = _problems;
            var steps = loadNode is JsonSourceArray load ? BindSteps(load, copy, origins) : null;
            var name = nameTemplate is null ? null : ExpandName(nameTemplate, nameNode!, transport, copy, rate, pollInterval);
            var draft = new ScenarioDraft
            {
                Name = name,
                Transport = transport.Known ? transport.Value : null,
                Load = steps,
                RatePerSecond = rate.Known ? rate.Value : null,
                PayloadBytes = payload,
                WarmUp = warmUp,
                PollInterval = pollInterval.Known ? pollInterval.Value : null,
                LongPollTimeout = longPoll,
                MaxPerPoll = maxPerPoll,
                OpenModelClients = clients,
                Faults = faults,
            };

            var issues = ScenarioValidator.Validate(draft);
            foreach (var issue in issues)
            {
                var (node, field) = Locate(origins, issue.Field, entry);
                Error(node, field, issue.Message);
            }

            if (compressionNode is not null && compression is not null && transport.Known && !CompressionKinds.AppliesTo(compression, transport.Value))
            {
                Error(compressionNode, compressionNode.Path, $"'{compression}' does not apply to {transport.Value}: permessage-deflate is for ws, gzip and br for poll, longpoll and sse");
            }

            if (complete && _problems == problemsBeforeCombination)
            {
                yield return (new Scenario
                {
                    Name = name!,
                    Transport = transport.Value,
                    Load = steps!.Select(step => step!).ToList(),
                    Feed = new FeedSpec(rate.Value, payload!.Value),
                    WarmUp = warmUp!.Value,
                    Client = new ClientSpec
                    {
                        PollInterval = pollInterval.Value,
                        LongPollTimeout = longPoll!.Value,
                        MaxPerPoll = maxPerPoll!.Value,
                        Reconnect = reconnect!,
                    },
                    OpenModelClients = clients,
                    Search = search,
                    Faults = faults is null ? [] : faults.Select(fault => fault!).ToList(),
                    Setup = ConnectionSetup.Default with { Compression = compression! },
                }, nameNode!);
            }
        }
    }

    /// <summary>The <c>reconnect</c> block, each field defaulting to <see cref="ReconnectPolicy.Default"/>'s;
    /// null (and reported) when any part of it cannot be read.</summary>
    private ReconnectPolicy? BindReconnect(JsonSourceNode node)
    {
        if (node is not JsonSourceObject block)
        {
            Error(node, node.Path, $"must be an object {{ \"initialDelay\": \"100ms\", \"maxDelay\": \"10s\", \"jitter\": \"full\" }}, got {node.Describe()}");
            return null;
        }

        var problemsBefore = _problems;
        CheckFields(block, ScenarioFileFields.Reconnect);
        var defaults = ReconnectPolicy.Default;
        var most = ReconnectPolicy.MostDelay;
        TimeSpan? Delay(string field, TimeSpan fallback)
        {
            if (block[field] is not { } delayNode)
            {
                return fallback;
            }

            var delay = Duration(delayNode);
            if (delay is { } d && (d <= TimeSpan.Zero || d > most))
            {
                Error(delayNode, delayNode.Path, $"must be above 0s and at most {most.TotalMinutes:0}m, got {delayNode.Describe()}");
                return null;
            }

            return delay;
        }

        var initial = Delay("initialDelay", defaults.InitialDelay);
        var max = Delay("maxDelay", defaults.MaxDelay);
        if (initial is { } i && max is { } m && m < i)
        {
            var at = block["maxDelay"] ?? block["initialDelay"]!;
            Error(at, at.Path, $"'maxDelay' must be at least 'initialDelay' ({i.TotalMilliseconds:0.###} ms), got {m.TotalMilliseconds:0.###} ms");
        }

        var jitter = defaults.Jitter;
        if (block["jitter"] is { } jitterNode && String(jitterNode) is { } jitterText)
        {
            switch (jitterText)
            {
                case "full":
                    jitter = ReconnectJitter.Full;
                    break;
                case "none":
                    jitter = ReconnectJitter.None;
                    break;
                default:
                    Error(jitterNode, jitterNode.Path, $"unknown \"{jitterText}\"; expected \"full\" (a random wait up to the nominal one) or \"none\" (exactly the nominal one)");
                    break;
            }
        }

        return _problems == problemsBefore ? new ReconnectPolicy(initial!.Value, max!.Value, jitter) : null;
    }

    /// <summary>The <c>faults</c> block: one fault per entry, null where an entry cannot be read (reported). Where
    /// each entry and field was written goes into <paramref name="origins"/> (<c>faults[0].kind</c>), so the
    /// validator's issues point at their line.</summary>
    private List<ScenarioFault?>? BindFaults(JsonSourceNode node, Dictionary<string, JsonSourceNode> origins)
    {
        if (node is not JsonSourceArray list)
        {
            Error(node, node.Path, $"must be a list of faults such as [{{ \"at\": \"10s\", \"kind\": \"abort\", \"fraction\": 0.01, \"duration\": \"60s\" }}], got {node.Describe()}");
            return null;
        }

        var faults = new List<ScenarioFault?>(list.Items.Count);
        for (var i = 0; i < list.Items.Count; i++)
        {
            var at = $"faults[{i}]";
            if (list.Items[i] is not JsonSourceObject item)
            {
                Error(list.Items[i], list.Items[i].Path, $"must be a fault object such as {{ \"at\": \"10s\", \"kind\": \"abort\", \"fraction\": 0.01, \"duration\": \"60s\" }}, got {list.Items[i].Describe()}");
                faults.Add(null);
                continue;
            }

            origins[at] = item;
            CheckFields(item, ScenarioFileFields.Fault);
            var offset = Required(item, "at", "when the fault starts, from the start of the measured phase, e.g. \"10s\"", Duration, origins, at);
            string? kind = null;
            if (item["kind"] is not { } kindNode)
            {
                Error(item, $"{item.Path}.kind", $"is required: one of {string.Join(", ", FaultKinds.All)}");
            }
            else
            {
                origins[$"{at}.kind"] = kindNode;
                kind = String(kindNode);
            }

            var fractionNode = item["fraction"];
            var fraction = fractionNode is null ? null : Number(fractionNode);
            AddOrigin(origins, $"{at}.fraction", fractionNode);
            var durationNode = item["duration"];
            var duration = durationNode is null ? null : Duration(durationNode);
            AddOrigin(origins, $"{at}.duration", durationNode);
            var readable = offset is not null && kind is not null && (fractionNode is null || fraction is not null) && (durationNode is null || duration is not null);
            faults.Add(readable ? new ScenarioFault(offset!.Value, kind!, fraction, duration) : null);
        }

        return faults;
    }

    /// <summary>The <c>search</c> block; null (and reported) when any part of it cannot be read.</summary>
    private LimitSearch? BindSearch(JsonSourceNode node)
    {
        if (node is not JsonSourceObject search)
        {
            Error(node, node.Path, $"must be an object {{ \"vary\": \"copies\", \"from\": 10, \"to\": 1000, \"step\": \"10s\", \"slo\": [\"latency/p99 <= 250ms\"] }}, got {node.Describe()}");
            return null;
        }

        var problemsBefore = _problems;
        CheckFields(search, ScenarioFileFields.Search);
        string? vary = null;
        if (search["vary"] is not { } varyNode)
        {
            Error(search, $"{search.Path}.vary", $"is required: what the search steps up, one of {string.Join(", ", LimitSearch.Axes)}");
        }
        else if (String(varyNode) is { } text)
        {
            if (LimitSearch.Axes.Contains(text))
            {
                vary = text;
            }
            else
            {
                Error(varyNode, varyNode.Path, $"unknown \"{text}\"; expected one of {string.Join(", ", LimitSearch.Axes)}");
            }
        }

        var max = vary == LimitSearch.Rate ? FeedSettings.MaxRatePerSecond : ScenarioValidator.MaxCopies;
        double? Level(string field)
        {
            if (search[field] is not { } levelNode)
            {
                Error(search, $"{search.Path}.{field}", $"is required: the {(field == "from" ? "first" : "highest")} level to try");
                return null;
            }

            var value = vary == LimitSearch.Rate ? Number(levelNode) : Int(levelNode);
            if (value is { } v && (v <= 0 || v > max))
            {
                Error(levelNode, levelNode.Path, $"must be above 0 and at most {max}, got {v}");
                return null;
            }

            return value;
        }

        var from = Level("from");
        var to = Level("to");
        if (from is { } f && to is { } t && t < f)
        {
            Error(search["to"]!, search["to"]!.Path, $"must be at least 'from' ({f}), got {t}");
        }

        TimeSpan? step = null;
        if (search["step"] is not { } stepNode)
        {
            Error(search, $"{search.Path}.step", "is required: how long each step's measured phase lasts, e.g. \"10s\"");
        }
        else if (Duration(stepNode) is { } length)
        {
            if (length <= TimeSpan.Zero || length > LimitSearch.MaxStepLength)
            {
                Error(stepNode, stepNode.Path, $"must be above 0s and at most {LimitSearch.MaxStepLength.TotalMinutes:0}m (every step is bounded), got {stepNode.Describe()}");
            }
            else
            {
                step = length;
            }
        }

        var rules = new List<Syntax.Rules.AbsoluteRule>();
        switch (search["slo"])
        {
            case null:
                Error(search, $"{search.Path}.slo", "is required: a list of rules each step must meet, e.g. [\"latency/p99 <= 250ms\", \"integrity/lost == 0\"]");
                break;
            case JsonSourceArray { Items.Count: 0 } empty:
                Error(empty, empty.Path, "must hold at least one rule");
                break;
            case JsonSourceArray list:
                foreach (var item in list.Items)
                {
                    if (String(item) is not { } ruleText)
                    {
                        continue;
                    }

                    switch (Syntax.Rules.RuleExpression.Parse(ruleText, out var error))
                    {
                        case null:
                            Error(item, item.Path, error!);
                            break;
                        case Syntax.Rules.AbsoluteRule absolute:
                            rules.Add(absolute);
                            break;
                        default:
                            Error(item, item.Path, $"an SLO is an absolute limit such as \"latency/p99 <= 250ms\"; \"{ruleText}\" is a change against a baseline, which a limit search has not got");
                            break;
                    }
                }

                break;
            case var other:
                Error(other, other.Path, $"must be a list of rules, got {other.Describe()}");
                break;
        }

        return _problems == problemsBefore ? new LimitSearch(vary!, from!.Value, to!.Value, step!.Value, rules) : null;
    }

    /// <summary>The steps of one expanded scenario; a step that cannot be read is null (and reported).</summary>
    private List<LoadSimulation?> BindSteps(JsonSourceArray load, AxisValue<int> copies, Dictionary<string, JsonSourceNode> origins) =>
        load.Items.Select((item, i) => BindStep(item, $"load[{i}]", copies, origins)).ToList();

    private LoadSimulation? BindStep(JsonSourceNode item, string at, AxisValue<int> copies, Dictionary<string, JsonSourceNode> origins)
    {
        if (item is not JsonSourceObject step)
        {
            Error(item, item.Path, $"must be a load step object such as {{ \"model\": \"KeepConstant\", \"copies\": 10, \"during\": \"10s\" }}, got {item.Describe()}");
            return null;
        }

        origins[at] = step;
        var modelNode = step["model"];
        if (modelNode is null)
        {
            Error(step, $"{step.Path}.model", $"is required: one of {string.Join(", ", Models)}");
            return null;
        }

        if (String(modelNode) is not { } model)
        {
            return null;
        }

        if (!Models.Contains(model))
        {
            var hint = Models.FirstOrDefault(m => m.Equals(model, StringComparison.OrdinalIgnoreCase));
            Error(modelNode, modelNode.Path, $"unknown model \"{model}\"; expected one of {string.Join(", ", Models)}{(hint is null ? "" : $" (did you mean \"{hint}\"?)")}");
            return null;
        }

        var open = model is nameof(Inject) or nameof(RampingInject);
        CheckFields(step, open ? ScenarioFileFields.OpenStep : ScenarioFileFields.ClosedStep);
        var during = Required(step, "during", "how long the step lasts, e.g. \"10s\"", Duration, origins, at);
        if (open)
        {
            var rate = Required(step, "rate", "requests per interval", Int, origins, at);
            var intervalNode = step["interval"];
            var interval = intervalNode is null ? TimeSpan.FromSeconds(1) : Duration(intervalNode);
            AddOrigin(origins, $"{at}.interval", intervalNode);
            if (rate is null || during is null || interval is null)
            {
                return null;
            }

            return model == nameof(Inject)
                ? new Inject(rate.Value, interval.Value, during.Value)
                : new RampingInject(rate.Value, interval.Value, during.Value);
        }

        int? copyCount;
        if (step["copies"] is { } copiesNode)
        {
            copyCount = Int(copiesNode);
            origins[$"{at}.copies"] = copiesNode;
        }
        else if (copies.Node is not null)
        {
            // The scenario's 'copies' (unknown when that value could not be read: reported there already).
            copyCount = copies.Known ? copies.Value : null;
            origins[$"{at}.copies"] = copies.Node;
        }
        else
        {
            Error(step, $"{step.Path}.copies", "is required: how many clients (set it in the step, or give the scenario a 'copies' value or list)");
            copyCount = null;
        }

        if (copyCount is null || during is null)
        {
            return null;
        }

        return model == nameof(KeepConstant)
            ? new KeepConstant(copyCount.Value, during.Value)
            : new RampingConstant(copyCount.Value, during.Value);
    }

    private T? Required<T>(JsonSourceObject obj, string field, string what, Func<JsonSourceNode, T?> read, Dictionary<string, JsonSourceNode> origins, string at)
        where T : struct
    {
        if (obj[field] is not { } node)
        {
            Error(obj, $"{obj.Path}.{field}", $"is required: {what}");
            return null;
        }

        origins[$"{at}.{field}"] = node;
        return read(node);
    }

    /// <summary>A field that may be one value or a list of values (one scenario per value). Absent → one
    /// value with no node (<paramref name="fallback"/>, the built-in default), unless
    /// <paramref name="requiredField"/> says it must exist. Values that cannot be read are reported and left
    /// out; when none is left, one unknown value stands for them so the rest of the entry is still checked.</summary>
    private List<AxisValue<T>> Axis<T>(JsonSourceNode? node, JsonSourceObject entry, string? requiredField, string what, Func<JsonSourceNode, T?> read, T fallback)
        where T : struct =>
        AxisCore(node, entry, requiredField, what, n => read(n) is { } v ? new AxisValue<T>(v, n) : (AxisValue<T>?)null, fallback);

    private List<AxisValue<string>> Axis(JsonSourceNode? node, JsonSourceObject entry, string requiredField, string what, Func<JsonSourceNode, string?> read) =>
        AxisCore(node, entry, requiredField, what, n => read(n) is { } v ? new AxisValue<string>(v, n) : (AxisValue<string>?)null, "");

    private List<AxisValue<T>> AxisCore<T>(
        JsonSourceNode? node, JsonSourceObject entry, string? requiredField, string what, Func<JsonSourceNode, AxisValue<T>?> read, T fallback)
    {
        if (node is null)
        {
            if (requiredField is not null)
            {
                Error(entry, requiredField, $"is required (here or in defaults): {what}");
                return [new AxisValue<T>(fallback, null, Known: false)];
            }

            return [new AxisValue<T>(fallback, null)];
        }

        var items = node is JsonSourceArray array ? array.Items : [node];
        if (items.Count == 0)
        {
            Error(node, node.Path, "an empty list expands to no scenario; give at least one value");
            return [new AxisValue<T>(fallback, node, Known: false)];
        }

        var values = items.Select(read).Where(v => v is not null).Select(v => v!.Value).ToList();
        return values.Count > 0 ? values : [new AxisValue<T>(fallback, node, Known: false)];
    }

    /// <summary>The name with its placeholders filled in; null when a placeholder is unknown (reported) or its
    /// value could not be read (reported where it was written).</summary>
    private string? ExpandName(
        string template, JsonSourceNode at, AxisValue<string> transport, AxisValue<int> copies, AxisValue<double> rate, AxisValue<TimeSpan> pollInterval)
    {
        var failed = false;
        var unknown = false;
        string Fill<T>(AxisValue<T> value, Func<T, string> format)
        {
            unknown |= !value.Known;
            return value.Known ? format(value.Value) : "";
        }

        var name = Placeholder().Replace(template, match =>
        {
            switch (match.Value)
            {
                case "{transport}":
                    return Fill(transport, t => t);
                case "{copies}" when copies.Node is not null:
                    return Fill(copies, c => c.ToString(CultureInfo.InvariantCulture));
                case "{rate}":
                    return Fill(rate, r => r.ToString(CultureInfo.InvariantCulture).Replace('.', '_'));
                case "{pollInterval}":
                    return Fill(pollInterval, p => $"{(long)p.TotalMilliseconds}ms");
                default:
                    failed = true;
                    Error(at, at.Path, $"unknown placeholder {match.Value}; use {{transport}}, {{copies}} (when the scenario has 'copies'), {{rate}} or {{pollInterval}}");
                    return match.Value;
            }
        });
        return failed || unknown ? null : name;
    }

    private static void AddOrigin(Dictionary<string, JsonSourceNode> origins, string field, JsonSourceNode? node)
    {
        if (node is not null)
        {
            origins[field] = node;
        }
    }

    /// <summary>Finds the node a validator issue is about: the longest recorded prefix of its field.</summary>
    private static (JsonSourceNode Node, string Field) Locate(Dictionary<string, JsonSourceNode> origins, string field, JsonSourceObject entry)
    {
        for (var probe = field; probe.Length > 0;)
        {
            if (origins.TryGetValue(probe, out var node))
            {
                return (node, node.Path + field[probe.Length..]);
            }

            var cut = Math.Max(probe.LastIndexOf('.'), probe.LastIndexOf('['));
            probe = cut > 0 ? probe[..cut] : "";
        }

        return (entry, JsonSourceReader.Join(entry.Path, field));
    }

    private void CheckFields(JsonSourceObject obj, IReadOnlyList<string> allowed)
    {
        foreach (var property in obj.Properties.Where(p => !allowed.Contains(p.Name)))
        {
            var hint = allowed.FirstOrDefault(a => a.Equals(property.Name, StringComparison.OrdinalIgnoreCase))
                ?? allowed.FirstOrDefault(a => Distance(a.ToUpperInvariant(), property.Name.ToUpperInvariant()) <= 2);
            var field = JsonSourceReader.Join(obj.Path, property.Name);
            AddError(new JsonSourceError(file, property.Line, property.Column, field,
                $"unknown field{(hint is null ? "" : $" (did you mean '{hint}'?)")}; expected one of {string.Join(", ", allowed)}"));
        }
    }

    private string? String(JsonSourceNode node)
    {
        if (node is JsonSourceValue { Kind: JsonTokenType.String } value)
        {
            return value.Text;
        }

        Error(node, node.Path, $"must be a string, got {node.Describe()}");
        return null;
    }

    private int? Int(JsonSourceNode node)
    {
        if (node is JsonSourceValue { Kind: JsonTokenType.Number } value
            && int.TryParse(value.Text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var result))
        {
            return result;
        }

        Error(node, node.Path, $"must be an integer, got {node.Describe()}");
        return null;
    }

    private double? Number(JsonSourceNode node)
    {
        if (node is JsonSourceValue { Kind: JsonTokenType.Number } value
            && double.TryParse(value.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out var result))
        {
            return result;
        }

        Error(node, node.Path, $"must be a number, got {node.Describe()}");
        return null;
    }

    private TimeSpan? Duration(JsonSourceNode node)
    {
        if (node is JsonSourceValue { Kind: JsonTokenType.String } value && DurationText.TryParse(value.Text, out var result))
        {
            return result;
        }

        Error(node, node.Path, $"must be a duration like {DurationText.Examples}, got {node.Describe()}");
        return null;
    }

    private string DefaultPlanName()
    {
        var stem = Path.GetFileNameWithoutExtension(file).ToLowerInvariant();
        var cleaned = string.Join('_', NonWord().Split(stem).Where(part => part.Length > 0));
        return ScenarioValidator.IsSnakeCase(cleaned) ? cleaned : "scenarios";
    }

    [GeneratedRegex("[^a-z0-9]+")]
    private static partial Regex NonWord();

    private void Error(JsonSourceNode at, string field, string message) =>
        AddError(new JsonSourceError(file, at.Line, at.Column, field, message));

    private T? ErrorAnd<T>(JsonSourceNode at, string field, string message)
        where T : class
    {
        Error(at, field, message);
        return null;
    }

    private void AddError(JsonSourceError error)
    {
        _problems++;
        // Defaults are shared by every scenario and lists expand one entry into many: report each problem once.
        if (_seen.Add(error))
        {
            _errors.Add(error);
        }
    }

    private static int Distance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }

            previous = current;
        }

        return previous[b.Length];
    }

    /// <summary>One value of a list-valued field and where it was written (null: the built-in default).
    /// <see cref="Known"/> is false when the field was missing or unreadable: a stand-in, never run.</summary>
    private readonly record struct AxisValue<T>(T Value, JsonSourceNode? Node, bool Known = true);
}
