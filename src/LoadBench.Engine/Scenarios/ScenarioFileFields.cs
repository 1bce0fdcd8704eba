namespace LoadBench.Engine.Scenarios;

/// <summary>
/// The field names a scenario file may use, per kind of object (format: scenarios/README.md). The binder
/// refuses any other name, so a typo never falls back to a default; scenarios/scenario.schema.json lists the
/// same names for editors, and a test holds the two together.
/// </summary>
internal static class ScenarioFileFields
{
    /// <summary>The file itself. <c>$schema</c> only points an editor at the schema, and <c>thresholds</c>
    /// belongs to the CI gate, which reads it from the file itself (docs/gate.md): both skipped here.</summary>
    public static readonly IReadOnlyList<string> Root = ["$schema", "name", "description", "requires", "defaults", "scenarios", "thresholds"];

    /// <summary>One entry of <c>scenarios</c>.</summary>
    public static readonly IReadOnlyList<string> Entry =
        ["name", "description", "transport", "copies", "clients", "load", "warmUp", "feed", "pollInterval", "longPollTimeout", "maxPerPoll", "search", "reconnect", "faults", "compression"];

    /// <summary><c>defaults</c>: any entry field but the entry's own name and description.</summary>
    public static readonly IReadOnlyList<string> Defaults = Entry.Where(f => f is not ("name" or "description")).ToArray();

    /// <summary><c>feed</c>, in an entry or in <c>defaults</c>.</summary>
    public static readonly IReadOnlyList<string> Feed = ["ratePerSecond", "payloadBytes"];

    /// <summary><c>search</c>: what <c>loadbench limits</c> varies, and the SLO.</summary>
    public static readonly IReadOnlyList<string> Search = ["vary", "from", "to", "step", "slo"];

    /// <summary><c>reconnect</c>: the clients' back-off before reconnecting.</summary>
    public static readonly IReadOnlyList<string> Reconnect = ["initialDelay", "maxDelay", "jitter"];

    /// <summary>One entry of <c>faults</c>.</summary>
    public static readonly IReadOnlyList<string> Fault = ["at", "kind", "fraction", "duration"];

    /// <summary>A load step of a closed model (<c>KeepConstant</c>, <c>RampingConstant</c>).</summary>
    public static readonly IReadOnlyList<string> ClosedStep = ["model", "copies", "during"];

    /// <summary>A load step of an open model (<c>Inject</c>, <c>RampingInject</c>).</summary>
    public static readonly IReadOnlyList<string> OpenStep = ["model", "rate", "interval", "during"];

    /// <summary>What a file's <c>requires</c> may name beyond the target: services its scenarios need, which
    /// a listing of scenarios shows.</summary>
    public static readonly IReadOnlyList<string> Requirements = ["nginx", "nats"];
}
