using System.Globalization;
using System.Text.Json;
using LoadBench.Contracts;
using LoadBench.Target.Feed;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using NATS.Client.KeyValueStore;

namespace LoadBench.Target.Replication;

/// <summary>
/// <c>--follow</c>: makes this target a replica of the publisher's feed. An ordered consumer reads the stream from
/// the oldest message it retains, so a replica that starts or restarts fills its ring first; each message's bytes
/// go into the feed as they are (<see cref="FeedLog.Append"/>), in the publisher's epoch (a new one restarts the
/// replica's feed as the publisher's restarted). Starting waits (bounded) until the replica has
/// caught up with the stream, so the server opens only once it holds what the stream holds. A watch on the
/// settings bucket keeps the publisher's settings and epoch, which the replica reports and never changes.
/// </summary>
internal sealed partial class FeedStreamFollower(
    FeedLog log, TargetOptions options, IHostApplicationLifetime lifetime, ILogger<FeedStreamFollower> logger) : IHostedService, IAsyncDisposable
{
    /// <summary>Longest wait at start to copy the stream's retained events (100,000 small events take about a second).</summary>
    private static readonly TimeSpan CatchUpTimeout = TimeSpan.FromSeconds(60);

    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _caughtUp = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private NatsConnection? _nats;
    private Task? _events;
    private Task? _settings;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var url = options.FollowUrl ?? throw new InvalidOperationException("--follow is not set.");
        _nats = FeedStream.Connect(url);
        var js = new NatsJSContext(_nats);
        try
        {
            var stream = await js.GetStreamAsync(FeedStream.StreamName, cancellationToken: cancellationToken);
            if (stream.Info.State.Messages == 0)
            {
                _caughtUp.TrySetResult();
            }

            var consumer = await js.CreateOrderedConsumerAsync(FeedStream.StreamName,
                new NatsJSOrderedConsumerOpts { DeliverPolicy = ConsumerConfigDeliverPolicy.All }, cancellationToken);
            var store = await new NatsKVContext(js).GetStoreAsync(FeedStream.SettingsBucket, cancellationToken);
            if (await ReadSettingsAsync(store, cancellationToken) is { } publisher)
            {
                log.AdoptEpochIfEmpty(publisher.Epoch);
                Adopt(publisher);
            }

            _events = ReceiveEventsAsync(consumer, _stop.Token);
            _settings = ReceiveSettingsAsync(store, _stop.Token);
        }
        catch (Exception e) when (e is NatsException or TimeoutException)
        {
            throw new InvalidOperationException(
                $"--follow {url}: cannot read the feed's stream {FeedStream.StreamName} there ({e.Message}). Start the publisher (serve --publish-to) first.", e);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(CatchUpTimeout);
        try
        {
            await _caughtUp.Task.WaitAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new InvalidOperationException($"--follow {url}: the replica did not catch up with the stream within {CatchUpTimeout.TotalSeconds} s.");
        }

        LogFollowing(logger, url, log.OldestSeq, log.LatestSeq);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stop.CancelAsync();
        foreach (var loop in new[] { _events, _settings })
        {
            if (loop is not null)
            {
                await loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
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

    private async Task ReceiveEventsAsync(INatsJSConsumer consumer, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var message in consumer.ConsumeAsync<byte[]>(cancellationToken: cancellationToken))
            {
                if (message.Headers is not { } headers || !headers.TryGetValue(FeedStream.SeqHeader, out var seqText)
                    || !long.TryParse(seqText.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var seq)
                    || !headers.TryGetValue(FeedStream.EpochHeader, out var epoch) || string.IsNullOrEmpty(epoch.ToString()) || message.Data is null)
                {
                    throw new InvalidOperationException(
                        $"A message on {message.Subject} lacks a {FeedStream.SeqHeader} or {FeedStream.EpochHeader} header or a body: not a LoadBench feed event.");
                }

                log.Append(epoch.ToString(), seq, message.Data);
                if (message.Metadata is { NumPending: 0 })
                {
                    _caughtUp.TrySetResult();
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is InvalidOperationException or NatsException)
        {
            // A gap cannot be served as one feed: stop, and let a supervisor restart the replica, which then fills
            // its ring from the stream anew. Never serve a feed with a hole in it.
            LogCannotFollow(logger, e);
            _caughtUp.TrySetException(e);
            lifetime.StopApplication();
        }
    }

    private async Task ReceiveSettingsAsync(INatsKVStore store, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var entry in store.WatchAsync<byte[]>(FeedStream.SettingsKey, cancellationToken: cancellationToken))
            {
                if (entry.Value is { } json && JsonSerializer.Deserialize(json, ContractsJson.Default.FeedInfo) is { } info)
                {
                    Adopt(info);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is JsonException or NatsException)
        {
            LogCannotFollow(logger, e);
        }
    }

    /// <summary>The publisher's settings, to report; the replica publishes nothing, so its rate only informs.</summary>
    private void Adopt(FeedInfo publisher) => log.UpdateSettings(publisher.RatePerSecond, publisher.PayloadBytes, publisher.DeliveryDelayMs);

    private static async Task<FeedInfo?> ReadSettingsAsync(INatsKVStore store, CancellationToken cancellationToken)
    {
        try
        {
            var entry = await store.GetEntryAsync<byte[]>(FeedStream.SettingsKey, cancellationToken: cancellationToken);
            return entry.Value is { } json ? JsonSerializer.Deserialize(json, ContractsJson.Default.FeedInfo) : null;
        }
        catch (NatsKVKeyNotFoundException)
        {
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Following the feed at {Url}: seq {Oldest}..{Latest} retained at start.")]
    private static partial void LogFollowing(ILogger logger, Uri url, long oldest, long latest);

    [LoggerMessage(Level = LogLevel.Critical, Message = "This replica cannot go on following the publisher's feed and stops.")]
    private static partial void LogCannotFollow(ILogger logger, Exception exception);
}
