using LoadBench.Contracts;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using NATS.Client.KeyValueStore;

namespace LoadBench.Target.Replication;

/// <summary>
/// Where a scaled-out feed lives in NATS (a contract between the publisher and its replicas, see the README):
/// <list type="bullet">
/// <item>JetStream stream <see cref="StreamName"/>, subject <see cref="EventsSubject"/>: one message per event, its
/// body the event's JSON exactly as the publisher serialized it, its seq in header <see cref="SeqHeader"/> and its
/// epoch in header <see cref="EpochHeader"/> (a new epoch: the publisher's feed restarted, and its replicas with it).
/// Bounded like the publisher's ring: at most <c>--retention</c> messages, the oldest dropped first.</item>
/// <item>Key/value bucket <see cref="SettingsBucket"/>, key <see cref="SettingsKey"/>: the publisher's
/// <c>/feed/info</c> JSON (rate, payload size, delivery delay, epoch), put at start and on every change.</item>
/// </list>
/// </summary>
internal static class FeedStream
{
    public const string StreamName = "LOADBENCH_FEED";
    public const string EventsSubject = "loadbench.feed.events";
    public const string SeqHeader = "LoadBench-Seq";
    public const string EpochHeader = "LoadBench-Epoch";
    public const string SettingsBucket = "loadbench-feed";
    public const string SettingsKey = "settings";

    /// <summary>Largest event message: the largest payload plus room for seq, ts and the JSON around them.</summary>
    private const int MaxMessageBytes = FeedSettings.MaxPayloadBytes + 1024;

    public static NatsConnection Connect(Uri url) => new(new NatsOpts
    {
        Url = url.ToString(),
        Name = "loadbench-target",
        // Never a wait without end: a NATS server that is not there fails the start within this time.
        ConnectTimeout = TimeSpan.FromSeconds(5),
        RequestTimeout = TimeSpan.FromSeconds(5),
    });

    /// <summary>Creates the stream (or brings its limits up to date) the publisher writes to.</summary>
    public static Task<INatsJSStream> EnsureStreamAsync(INatsJSContext js, int retention, CancellationToken cancellationToken) =>
        js.CreateOrUpdateStreamAsync(new StreamConfig(StreamName, [EventsSubject])
        {
            MaxMsgs = retention,
            MaxMsgSize = MaxMessageBytes,
            Discard = StreamConfigDiscard.Old,
            // File storage: a stream of --retention events of up to 64 KiB each would not fit in memory.
            Storage = StreamConfigStorage.File,
        }, cancellationToken).AsTask();

    public static Task<INatsKVStore> EnsureSettingsAsync(INatsJSContext js, CancellationToken cancellationToken) =>
        new NatsKVContext(js).CreateOrUpdateStoreAsync(new NatsKVConfig(SettingsBucket) { History = 1 }, cancellationToken).AsTask();
}
