using System.Globalization;
using System.Text.Json;
using System.Threading.Channels;
using LoadBench.Contracts;
using LoadBench.Target.Feed;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.KeyValueStore;

namespace LoadBench.Target.Replication;

/// <summary>
/// <c>--publish-to</c>: sends every event the feed publishes to the JetStream stream, in seq order, and the feed's
/// settings to the key/value bucket. The feed's hot path only writes each event into a channel (inside the publish
/// lock, so the order is the feed's); one loop here sends them, each acknowledged by the stream before the next.
/// Starting purges the stream: this publisher's feed begins at seq 1, and replicas must not mix two feeds.
/// </summary>
internal sealed partial class FeedStreamPublisher(FeedLog log, TargetOptions options, ILogger<FeedStreamPublisher> logger) : IHostedService, IAsyncDisposable
{
    private readonly Channel<OutboxEvent> _outbox = Channel.CreateUnbounded<OutboxEvent>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stop = new();
    private NatsConnection? _nats;
    private Task? _events;
    private Task? _settings;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var url = options.PublishToUrl ?? throw new InvalidOperationException("--publish-to is not set.");
        _nats = FeedStream.Connect(url);
        var js = new NatsJSContext(_nats);
        try
        {
            var stream = await FeedStream.EnsureStreamAsync(js, log.Retention, cancellationToken);
            await stream.PurgeAsync(new NATS.Client.JetStream.Models.StreamPurgeRequest(), cancellationToken);
            var store = await FeedStream.EnsureSettingsAsync(js, cancellationToken);
            // Taken before the first put: a change after it completes this task, so none is missed.
            var changed = log.SettingsChanged;
            await PutSettingsAsync(store, cancellationToken);
            // Hooked up before the feed's own publisher starts (it is registered after this service).
            log.Outbox = _outbox.Writer;
            _events = SendEventsAsync(js, _stop.Token);
            _settings = SendSettingsAsync(store, changed, _stop.Token);
            LogPublishing(logger, url, FeedStream.StreamName, FeedStream.EventsSubject);
        }
        catch (Exception e) when (e is NatsException or TimeoutException)
        {
            throw new InvalidOperationException($"--publish-to {url}: cannot set up the JetStream stream there ({e.Message}). Is nats-server running with JetStream (-js)?", e);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        log.Outbox = null;
        _outbox.Writer.TryComplete();
        // Events already handed over are still sent (bounded by the host's shutdown time); then the loops end.
        if (_events is not null)
        {
            await _events.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        await _stop.CancelAsync();
        if (_settings is not null)
        {
            await _settings.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Dispose();
        if (_nats is not null)
        {
            await _nats.DisposeAsync();
        }
    }

    private async Task SendEventsAsync(NatsJSContext js, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var (epoch, feedEvent) in _outbox.Reader.ReadAllAsync(cancellationToken))
            {
                var headers = new NatsHeaders { [FeedStream.SeqHeader] = feedEvent.SeqText, [FeedStream.EpochHeader] = epoch };
                // The stored bytes themselves: no copy, no re-serialization.
                var ack = await js.PublishAsync(FeedStream.EventsSubject, feedEvent.Json, headers: headers, cancellationToken: cancellationToken);
                ack.EnsureSuccess();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is NatsException or NatsJSException)
        {
            // Replicas would silently fall behind: say so loudly. The feed itself keeps serving its own clients.
            LogSendFailed(logger, e);
        }
    }

    private async Task SendSettingsAsync(INatsKVStore store, Task changed, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                await changed.WaitAsync(cancellationToken);
                changed = log.SettingsChanged;
                await PutSettingsAsync(store, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is NatsException or NatsJSException)
        {
            LogSendFailed(logger, e);
        }
    }

    private async Task PutSettingsAsync(INatsKVStore store, CancellationToken cancellationToken)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(log.Info(), ContractsJson.Default.FeedInfo);
        await store.PutAsync(FeedStream.SettingsKey, json, cancellationToken: cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Publishing the feed to {Url}: stream {Stream}, subject {Subject}.")]
    private static partial void LogPublishing(ILogger logger, Uri url, string stream, string subject);

    [LoggerMessage(Level = LogLevel.Error, Message = "Sending to the JetStream stream failed; replicas no longer receive this feed.")]
    private static partial void LogSendFailed(ILogger logger, Exception exception);
}
