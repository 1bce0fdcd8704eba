using System.Text.Json.Serialization;

namespace LoadBench.Results;

/// <summary>
/// Root of <c>results.json</c>. Versioned: a reader refuses a <see cref="SchemaVersion"/> it does not know
/// instead of guessing. The schema is documented in docs/results-schema.md.
/// </summary>
public sealed record ResultsDocument
{
    public const int CurrentSchemaVersion = 1;

    [JsonPropertyName("schemaVersion")] public int SchemaVersion { get; init; } = CurrentSchemaVersion;
    [JsonPropertyName("environment")] public required RunEnvironment Environment { get; init; }
    /// <summary>One entry per scenario run (a scenario names one transport).</summary>
    [JsonPropertyName("scenarios")] public required IReadOnlyList<ScenarioResult> Scenarios { get; init; }
    /// <summary><c>loadbench limits</c> only: one limit search per searched scenario; absent otherwise.</summary>
    [JsonPropertyName("limits")]
    public IReadOnlyList<LimitSearchResult>? Limits { get; init; }
    /// <summary>
    /// Present when the run did not finish as planned (interrupted, the target died, an agent was lost): what was
    /// measured is still here, and the scenarios that did not finish carry their own <see cref="ScenarioResult.Incomplete"/>.
    /// </summary>
    [JsonPropertyName("incomplete")] public IncompleteMark? Incomplete { get; init; }
}

/// <summary>Why a run or a scenario did not finish as planned, and when.</summary>
public sealed record IncompleteMark
{
    /// <summary>What happened, in words a reader can act on, e.g. <c>interrupted (Ctrl-C)</c>, <c>target stopped answering</c>.</summary>
    [JsonPropertyName("reason")] public required string Reason { get; init; }
    /// <summary>When it happened.</summary>
    [JsonPropertyName("at")] public required DateTimeOffset At { get; init; }
}

/// <summary>Where and what was run, so two results can be judged comparable (or not).</summary>
public sealed record RunEnvironment
{
    [JsonPropertyName("scenarioName")] public required string ScenarioName { get; init; }
    /// <summary>SHA-256 of the scenario file's bytes, hex: the same hash means the same plan.</summary>
    [JsonPropertyName("scenarioHash")] public required string ScenarioHash { get; init; }
    [JsonPropertyName("startedAt")] public required DateTimeOffset StartedAt { get; init; }
    [JsonPropertyName("finishedAt")] public required DateTimeOffset FinishedAt { get; init; }
    [JsonPropertyName("processorCount")] public required int ProcessorCount { get; init; }
    [JsonPropertyName("os")] public required string Os { get; init; }
    [JsonPropertyName("dotnetVersion")] public required string DotnetVersion { get; init; }
    [JsonPropertyName("loadBenchVersion")] public required string LoadBenchVersion { get; init; }
    /// <summary>Commit of the working tree the run came from, when known.</summary>
    [JsonPropertyName("gitCommit")] public string? GitCommit { get; init; }
    /// <summary>The target's base URL, and whether the engine started it itself.</summary>
    [JsonPropertyName("targetUrl")] public required string TargetUrl { get; init; }
    [JsonPropertyName("targetStartedByEngine")] public required bool TargetStartedByEngine { get; init; }
    /// <summary>Behind a proxy: the publisher's own address (settings, info, <c>/stats</c>), while <see cref="TargetUrl"/>
    /// is the proxy the clients used. Absent when one target served both.</summary>
    [JsonPropertyName("controlUrl")] public string? ControlUrl { get; init; }
}

/// <summary>What one scenario, driving one transport, measured in its measured phase (warm-up excluded).</summary>
public sealed record ScenarioResult
{
    /// <summary>snake_case scenario name, unique in the document, e.g. <c>sse_100_clients</c>.</summary>
    [JsonPropertyName("name")] public required string Name { get; init; }
    /// <summary>One of <c>poll</c>, <c>longpoll</c>, <c>sse</c>, <c>ws</c>.</summary>
    [JsonPropertyName("transport")] public required string Transport { get; init; }
    /// <summary>The load simulation as written in the scenario, e.g. <c>KeepConstant(copies: 100, during: 00:00:10)</c>.</summary>
    [JsonPropertyName("loadSimulation")] public required string LoadSimulation { get; init; }
    /// <summary>Most concurrent clients (copies) during the measured phase.</summary>
    [JsonPropertyName("clients")] public required int Clients { get; init; }
    [JsonPropertyName("publishRatePerSecond")] public required double PublishRatePerSecond { get; init; }
    [JsonPropertyName("payloadBytes")] public required int PayloadBytes { get; init; }
    /// <summary>Poll interval in ms for the polling transport, null otherwise.</summary>
    [JsonPropertyName("pollIntervalMs")] public double? PollIntervalMs { get; init; }
    [JsonPropertyName("warmUpSeconds")] public required double WarmUpSeconds { get; init; }
    /// <summary>Length of the measured phase actually run.</summary>
    [JsonPropertyName("durationSeconds")] public required double DurationSeconds { get; init; }

    /// <summary>The production-path setup the scenario ran with (HTTP version, TLS, compression, heartbeat, streams
    /// per connection, proxy). Null: the default — HTTP/1.1, plain, uncompressed, no heartbeat, direct — and every
    /// file written before it existed.</summary>
    [JsonPropertyName("setup")] public SetupResult? Setup { get; init; }

    /// <summary>A feed that publishes nothing by design (rate 0): what each idle connection costs per hour. Null
    /// for a publishing feed.</summary>
    [JsonPropertyName("idle")] public IdleCostResult? Idle { get; init; }

    [JsonPropertyName("latency")] public required LatencyResult Latency { get; init; }
    [JsonPropertyName("throughput")] public required ThroughputResult Throughput { get; init; }
    [JsonPropertyName("bytes")] public required BytesResult Bytes { get; init; }
    /// <summary>
    /// Behind a proxy (a run with a control URL): the bytes the targets counted on their own sockets for this
    /// transport (their <c>/stats</c>, summed over replicas), the proxy ↔ target leg, beside <see cref="Bytes"/>, the
    /// client ↔ proxy leg; the difference is what the proxy changed (headers it adds or drops, chunking). Divided by
    /// the events the targets sent. Absent for a direct run, where both legs are one.
    /// </summary>
    [JsonPropertyName("serverBytes")] public BytesResult? ServerBytes { get; init; }
    [JsonPropertyName("integrity")] public required IntegrityResult Integrity { get; init; }
    [JsonPropertyName("errors")] public required ErrorsResult Errors { get; init; }
    /// <summary>The target's cost; via an nginx the engine started, nginx's CPU and memory are included (see <see cref="Proxy"/>).</summary>
    [JsonPropertyName("server")] public required ServerCostResult Server { get; init; }
    /// <summary>Via an nginx the engine started: nginx's part of <see cref="Server"/>, shown apart. Absent otherwise.</summary>
    [JsonPropertyName("proxy")] public ProxyCostResult? Proxy { get; init; }
    /// <summary>One point per second of the measured phase.</summary>
    [JsonPropertyName("timeSeries")] public required IReadOnlyList<TimeSeriesPoint> TimeSeries { get; init; }
    /// <summary>
    /// With repeated trials (<c>loadbench run --repeat N</c>, N ≥ 2): each trial's own result, in the order they
    /// ran, for statistics across trials; every figure above is then these trials pooled (<see cref="TrialPooler"/>).
    /// Absent for a single run; a trial never has trials of its own.
    /// </summary>
    [JsonPropertyName("trials")] public IReadOnlyList<ScenarioResult>? Trials { get; init; }
    /// <summary>Present when this scenario's measured phase was cut short; its figures cover only what ran.</summary>
    [JsonPropertyName("incomplete")] public IncompleteMark? Incomplete { get; init; }
    /// <summary>
    /// <c>loadbench run --nats … --agents N</c> only: the load agents that drove this scenario and what each carried.
    /// Every figure above is their results merged exactly (histograms added, counters summed: <see cref="ResultsMerger"/>).
    /// Absent for a run of one engine process.
    /// </summary>
    [JsonPropertyName("agents")] public IReadOnlyList<AgentShareResult>? Agents { get; init; }
    /// <summary>
    /// The faults the target injected while this scenario ran (its own <c>faults</c> block and any posted to
    /// <c>/feed/faults</c> by hand), as the target listed them, in seconds relative to the measured phase's start.
    /// Absent when there were none (and in older files).
    /// </summary>
    [JsonPropertyName("faults")] public IReadOnlyList<FaultPeriod>? Faults { get; init; }
}

/// <summary>One load agent's part of a scenario: its share of the load, what it measured, its clock offset.</summary>
public sealed record AgentShareResult
{
    /// <summary>The agent's name (<c>loadbench agent --name</c>; host name and process id by default).</summary>
    [JsonPropertyName("name")] public required string Name { get; init; }
    /// <summary>Cores the agent announced.</summary>
    [JsonPropertyName("cores")] public int Cores { get; init; }
    /// <summary>Sockets it could still open when it joined: its weight when the load was shared out.</summary>
    [JsonPropertyName("openFileBudget")] public long OpenFileBudget { get; init; }
    /// <summary>Its share of the load, as NBomber would print it, e.g. <c>KeepConstant(copies: 34, during: 00:00:05)</c>.</summary>
    [JsonPropertyName("loadSimulation")] public required string LoadSimulation { get; init; }
    /// <summary>Most clients it ran at once in the measured phase (0 when lost before reporting).</summary>
    [JsonPropertyName("clients")] public int Clients { get; init; }
    /// <summary>Events its clients received in the measured phase (0 when lost before reporting).</summary>
    [JsonPropertyName("eventsDelivered")] public long EventsDelivered { get; init; }
    /// <summary>Its own publish → receive percentiles (its histogram alone; the scenario's come from all histograms added).</summary>
    [JsonPropertyName("p50Ms")] public double? P50Ms { get; init; }
    [JsonPropertyName("p99Ms")] public double? P99Ms { get; init; }
    /// <summary>Publisher's clock minus the agent's, estimated NTP-style (several round trips to <c>/feed/clock</c>, the
    /// shortest wins) and added to every receive time before latency was computed.</summary>
    [JsonPropertyName("clockOffsetMs")] public double ClockOffsetMs { get; init; }
    /// <summary>Half the shortest round trip: the offset is right to within this, and so is every latency of this agent.</summary>
    [JsonPropertyName("clockUncertaintyMs")] public double ClockUncertaintyMs { get; init; }
    /// <summary>When the coordinator noticed the agent was gone (no heartbeat, no answer); absent when it finished.</summary>
    [JsonPropertyName("lostAt")] public DateTimeOffset? LostAt { get; init; }
}

/// <summary>One fault the target injected, placed on the measured phase's time axis (the chart's <c>t</c>).</summary>
public sealed record FaultPeriod
{
    /// <summary>One of <c>abort</c>, <c>stall</c>, <c>pause</c>, <c>drop-all</c>, <c>restart</c>.</summary>
    [JsonPropertyName("kind")] public required string Kind { get; init; }
    /// <summary>abort, stall: the share of connections it hit; null for the other kinds.</summary>
    [JsonPropertyName("fraction")] public double? Fraction { get; init; }
    /// <summary>Seconds from the measured phase's start to the fault's start (negative when it began before).</summary>
    [JsonPropertyName("startSeconds")] public required double StartSeconds { get; init; }
    /// <summary>Seconds from the measured phase's start to the fault's end; equal to the start for a one-off
    /// (drop-all, restart).</summary>
    [JsonPropertyName("endSeconds")] public required double EndSeconds { get; init; }
}

/// <summary>Percentiles in milliseconds, computed from <see cref="Histogram"/> (never averaged across runs).</summary>
public sealed record LatencySummary
{
    [JsonPropertyName("count")] public required long Count { get; init; }
    [JsonPropertyName("p50Ms")] public required double P50Ms { get; init; }
    [JsonPropertyName("p90Ms")] public required double P90Ms { get; init; }
    [JsonPropertyName("p99Ms")] public required double P99Ms { get; init; }
    [JsonPropertyName("p999Ms")] public required double P999Ms { get; init; }
    [JsonPropertyName("maxMs")] public required double MaxMs { get; init; }
    [JsonPropertyName("meanMs")] public required double MeanMs { get; init; }
    /// <summary>The HdrHistogram itself (values in microseconds, 1 µs..1 h, 3 significant digits) in its
    /// compressed V2 encoding, base64. Histograms of several runs are added to merge them exactly.</summary>
    [JsonPropertyName("histogram")] public required string Histogram { get; init; }
}

public sealed record LatencyResult
{
    /// <summary>Publish → receive per delivered event.</summary>
    [JsonPropertyName("event")] public required LatencySummary Event { get; init; }
    /// <summary>Request → response for polling and long polling (open models: from the intended start); null otherwise.</summary>
    [JsonPropertyName("request")] public LatencySummary? Request { get; init; }
    /// <summary>Time to recover, per cut connection: from the moment a client found its connection cut (or its feed
    /// reset) to its first event after reconnecting. Null when no connection was cut (and in older files).</summary>
    [JsonPropertyName("recovery")] public LatencySummary? Recovery { get; init; }
}

public sealed record ThroughputResult
{
    /// <summary>Events delivered from the measured phase's start to the end of the drain: every event published in
    /// the phase, late ones included (what integrity and latency are judged on).</summary>
    [JsonPropertyName("eventsDelivered")] public required long EventsDelivered { get; init; }
    /// <summary>Events delivered inside the measured window itself (absent in older files).</summary>
    [JsonPropertyName("eventsDeliveredInWindow")] public long? EventsDeliveredInWindow { get; init; }
    /// <summary><see cref="EventsDeliveredInWindow"/> ÷ the window's length: late events caught up in the drain
    /// do not count, so a saturated transport shows its real rate.</summary>
    [JsonPropertyName("eventsPerSecond")] public required double EventsPerSecond { get; init; }
    /// <summary>HTTP requests sent (a WebSocket or SSE connection, including each reconnect, counts one).</summary>
    [JsonPropertyName("requests")] public required long Requests { get; init; }
    [JsonPropertyName("requestsPerSecond")] public required double RequestsPerSecond { get; init; }
    /// <summary>Polls that came back with no event (0..1); null for streaming transports.</summary>
    [JsonPropertyName("emptyResponseShare")] public double? EmptyResponseShare { get; init; }
}

/// <summary>
/// Bytes counted on the client's sockets in both directions, split into parts that add up to the total.
/// Counted over the scenario's connections' whole lives (warm-up included) and divided by the events those
/// connections carried (<see cref="Events"/>), so a streaming connection's upgrade or response headers are
/// shared over all its events — a connection opened during warm-up would otherwise show no headers at all.
/// </summary>
public sealed record BytesResult
{
    /// <summary>Events delivered over the connections the bytes were counted on (the divisor of <see cref="PerEvent"/>).
    /// Absent in files written before it existed: then <c>throughput.eventsDelivered</c>.</summary>
    [JsonPropertyName("events")] public long? Events { get; init; }
    [JsonPropertyName("payload")] public required long Payload { get; init; }
    [JsonPropertyName("framing")] public required long Framing { get; init; }
    [JsonPropertyName("headers")] public required long Headers { get; init; }
    /// <summary>TLS handshake and record overhead: the socket bytes minus the plaintext above TLS (payload +
    /// framing + headers). Null on a plain connection; <see cref="Total"/> includes it.</summary>
    [JsonPropertyName("tls")] public long? Tls { get; init; }
    [JsonPropertyName("total")] public required long Total { get; init; }
    [JsonPropertyName("perEvent")] public required BytesPerEvent PerEvent { get; init; }
    /// <summary>With compression (null without): the wire's <see cref="Payload"/> is then the compressed body
    /// (WebSocket data-frame payloads, a gzip or br body inside its chunks), and this is the split the decoded
    /// bytes would have had uncompressed, beside it.</summary>
    [JsonPropertyName("uncompressed")] public UncompressedBytes? Uncompressed { get; init; }
}

/// <summary>
/// The payload / framing split before compression, beside a compressed run's wire split. <see cref="Payload"/>
/// is the events' JSON after decoding; <see cref="Framing"/> is the wire's framing (chunk lines, frame headers,
/// control frames: not compressed) plus what the decoded body carries around the events (SSE field names, array
/// brackets and commas). Headers are not compressed over HTTP/1.1 and stay as on the wire.
/// </summary>
public sealed record UncompressedBytes
{
    [JsonPropertyName("payload")] public required long Payload { get; init; }
    [JsonPropertyName("framing")] public required long Framing { get; init; }
    /// <summary>Decoded body bytes / compressed body bytes (the wire's payload): how many times the compression
    /// shrank what it compressed. Null when no compressed byte was seen.</summary>
    [JsonPropertyName("ratio")] public double? Ratio { get; init; }
    [JsonPropertyName("perEvent")] public required UncompressedPerEvent PerEvent { get; init; }
}

public sealed record UncompressedPerEvent
{
    [JsonPropertyName("payload")] public required double Payload { get; init; }
    [JsonPropertyName("framing")] public required double Framing { get; init; }
}

public sealed record BytesPerEvent
{
    [JsonPropertyName("payload")] public required double Payload { get; init; }
    [JsonPropertyName("framing")] public required double Framing { get; init; }
    [JsonPropertyName("headers")] public required double Headers { get; init; }
    [JsonPropertyName("tls")] public double? Tls { get; init; }
    [JsonPropertyName("total")] public required double Total { get; init; }
}

public sealed record IntegrityResult
{
    /// <summary>Events never received: seqs skipped over by a client's cursor.</summary>
    [JsonPropertyName("lost")] public required long Lost { get; init; }
    [JsonPropertyName("duplicates")] public required long Duplicates { get; init; }
    [JsonPropertyName("reorders")] public required long Reorders { get; init; }
    [JsonPropertyName("reconnects")] public required long Reconnects { get; init; }
    /// <summary>Times the target said the client's cursor was older than retention (410, SSE "gone", WS 4410).</summary>
    [JsonPropertyName("goneSignals")] public required long GoneSignals { get; init; }
    /// <summary>Times the target said the feed restarted under the client (409, SSE "reset", WS 4409): the client
    /// started again from the new epoch's first event, and what it missed of the old epoch is not counted as lost.
    /// Absent in older files.</summary>
    [JsonPropertyName("resets")] public long? Resets { get; init; }
    /// <summary>Times the target disconnected the client for falling too far behind (SSE "too-slow", WS 4408); the
    /// client resumed from its cursor. Absent in older files.</summary>
    [JsonPropertyName("tooSlowSignals")] public long? TooSlowSignals { get; init; }
    /// <summary>Events published in the measured window but received after it ended, in the drain
    /// (<c>throughput.eventsDelivered − throughput.eventsDeliveredInWindow</c>): late, not lost. Absent in older files.</summary>
    [JsonPropertyName("lateEvents")] public long? LateEvents { get; init; }
}

public sealed record ErrorsResult
{
    [JsonPropertyName("count")] public required long Count { get; init; }
    /// <summary>Errors divided by requests (0..1).</summary>
    [JsonPropertyName("rate")] public required double Rate { get; init; }
    /// <summary>Count per kind, e.g. <c>"http_503": 2</c>, <c>"connect_refused": 1</c>.</summary>
    [JsonPropertyName("byKind")] public required IReadOnlyDictionary<string, long> ByKind { get; init; }
}

/// <summary>The target process's cost during the measured phase.</summary>
public sealed record ServerCostResult
{
    [JsonPropertyName("cpuMs")] public required double CpuMs { get; init; }
    /// <summary>Target CPU time per 1,000 delivered events (null when nothing was delivered).</summary>
    [JsonPropertyName("cpuMsPer1000Events")] public double? CpuMsPer1000Events { get; init; }
    /// <summary>Average share of one core used by the target (0..processorCount).</summary>
    [JsonPropertyName("cpuCores")] public required double CpuCores { get; init; }
    [JsonPropertyName("workingSetBytesBefore")] public required long WorkingSetBytesBefore { get; init; }
    [JsonPropertyName("workingSetBytesPeak")] public required long WorkingSetBytesPeak { get; init; }
    /// <summary>Managed heap after a full, compacting collection before any client of the scenario existed.</summary>
    [JsonPropertyName("retainedHeapBytesBefore")] public long? RetainedHeapBytesBefore { get; init; }
    /// <summary>Managed heap after a full, compacting collection with every client still connected (after the drain).</summary>
    [JsonPropertyName("retainedHeapBytesWithClients")] public long? RetainedHeapBytesWithClients { get; init; }
    /// <summary>What each open connection costs the target, in KiB: (retained heap with clients − before) / clients
    /// when both were measured — order-independent, since a forced collection undoes what earlier scenarios left —
    /// otherwise (working-set peak − before) / clients.</summary>
    [JsonPropertyName("kibPerConnection")] public double? KibPerConnection { get; init; }
    /// <summary>Resident memory per open connection, in KiB: (working set after a full collection with every client
    /// connected − the same before any client existed) / clients. Unlike <see cref="KibPerConnection"/> it includes
    /// native memory — a compressor's zlib or brotli state, native buffers — that the managed heap never shows; it is
    /// noisier (the GC may keep memory committed). Null when either reading is missing.</summary>
    [JsonPropertyName("residentKibPerConnection")] public double? ResidentKibPerConnection { get; init; }
}

/// <summary>One second of the measured phase.</summary>
public sealed record TimeSeriesPoint
{
    /// <summary>Seconds since the measured phase began (end of the interval).</summary>
    [JsonPropertyName("t")] public required double T { get; init; }
    [JsonPropertyName("eventsPerSecond")] public required double EventsPerSecond { get; init; }
    [JsonPropertyName("p50Ms")] public required double P50Ms { get; init; }
    [JsonPropertyName("p99Ms")] public required double P99Ms { get; init; }
    [JsonPropertyName("clients")] public required int Clients { get; init; }
    /// <summary>This second's publish → receive histogram (same encoding as <see cref="LatencySummary.Histogram"/>),
    /// so that merged time series get exact per-second percentiles too. Added in schema 1 (optional).</summary>
    [JsonPropertyName("histogram")] public string? Histogram { get; init; }
}

/// <summary>A scenario's production-path setup (see the engine's <c>ConnectionSetup</c>); part of what identifies
/// a scenario for the gate and the report.</summary>
public sealed record SetupResult
{
    /// <summary><c>1.1</c> or <c>2</c>.</summary>
    [JsonPropertyName("http")] public string Http { get; init; } = "1.1";
    [JsonPropertyName("tls")] public bool Tls { get; init; }
    /// <summary><c>none</c>, <c>permessage-deflate</c>, <c>permessage-deflate-no-context-takeover</c>, <c>gzip</c>, <c>br</c>.</summary>
    [JsonPropertyName("compression")] public string Compression { get; init; } = "none";
    /// <summary>Null: no heartbeat at all.</summary>
    [JsonPropertyName("heartbeatMs")] public double? HeartbeatMs { get; init; }
    [JsonPropertyName("streamsPerConnection")] public int StreamsPerConnection { get; init; } = 1;
    /// <summary><c>direct</c>, an nginx configuration's name, or a proxy URL.</summary>
    [JsonPropertyName("via")] public string Via { get; init; } = "direct";
}
