using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using NATS.Client.Core;

namespace LoadBench.Engine.Distributed;

/// <summary>
/// The one place that talks NATS: a connection, JSON messages in and out (source-generated, as plain bytes), and
/// requests that never wait longer than asked. Coordinator and agents both use it.
/// </summary>
internal sealed class NatsChannel : IAsyncDisposable
{
    private readonly NatsConnection _nats;

    private NatsChannel(NatsConnection nats) => _nats = nats;

    /// <summary>Connects, or throws <see cref="DistributedRunException"/> with the address within 10 s.</summary>
    public static async Task<NatsChannel> ConnectAsync(string url, string clientName, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(url);
        var nats = new NatsConnection(new NatsOpts { Url = url, Name = clientName, ConnectTimeout = TimeSpan.FromSeconds(5) });
        try
        {
            await nats.ConnectAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10), cancellationToken);
            return new NatsChannel(nats);
        }
        catch (Exception e) when (e is NatsException or TimeoutException or System.Net.Sockets.SocketException)
        {
            await nats.DisposeAsync();
            throw new DistributedRunException($"Could not connect to NATS at {url}: {e.Message}. Is nats-server running there?", e);
        }
    }

    public async Task PublishAsync<T>(string subject, T message, JsonTypeInfo<T> type, CancellationToken cancellationToken) =>
        await _nats.PublishAsync(subject, JsonSerializer.SerializeToUtf8Bytes(message, type), cancellationToken: cancellationToken);

    /// <summary>Sends a request and waits at most <paramref name="timeout"/> for the answer.</summary>
    /// <exception cref="AgentUnreachableException">Nobody answered (no responder, timeout, a broken answer).</exception>
    public async Task<TReply> RequestAsync<TRequest, TReply>(
        string subject, TRequest request, JsonTypeInfo<TRequest> requestType, JsonTypeInfo<TReply> replyType,
        TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            var reply = await _nats.RequestAsync<byte[], byte[]>(
                    subject, JsonSerializer.SerializeToUtf8Bytes(request, requestType),
                    replyOpts: new NatsSubOpts { Timeout = timeout }, cancellationToken: cancellationToken)
                .AsTask().WaitAsync(timeout + TimeSpan.FromSeconds(1), cancellationToken);
            if (reply.Data is not { Length: > 0 } data)
            {
                throw new AgentUnreachableException(subject, "an empty answer (no responder)", null);
            }

            return JsonSerializer.Deserialize(data, replyType) ?? throw new AgentUnreachableException(subject, "a null answer", null);
        }
        catch (Exception e) when (e is NatsException or TimeoutException or JsonException
                                  || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            throw new AgentUnreachableException(subject, e.Message, e);
        }
    }

    /// <summary>Subscribes now (the server knows the subscription when this returns, so nothing sent after is missed).</summary>
    public async Task<INatsSub<byte[]>> SubscribeAsync(string subject, CancellationToken cancellationToken) =>
        await _nats.SubscribeCoreAsync<byte[]>(subject, cancellationToken: cancellationToken);

    public static T? Read<T>(NatsMsg<byte[]> message, JsonTypeInfo<T> type)
    {
        try
        {
            return message.Data is { Length: > 0 } data ? JsonSerializer.Deserialize(data, type) : default;
        }
        catch (JsonException)
        {
            // A stranger's message on our subject is ignored, not fatal.
            return default;
        }
    }

    public static async Task ReplyAsync<T>(NatsMsg<byte[]> message, T reply, JsonTypeInfo<T> type) =>
        await message.ReplyAsync(JsonSerializer.SerializeToUtf8Bytes(reply, type));

    public ValueTask DisposeAsync() => _nats.DisposeAsync();
}
