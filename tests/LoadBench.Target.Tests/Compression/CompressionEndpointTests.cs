using System.IO.Compression;
using System.Net;
using System.Net.ServerSentEvents;
using System.Net.WebSockets;
using System.Text;
using LoadBench.Contracts;
using LoadBench.Target.Compression;
using Microsoft.Extensions.Configuration;

namespace LoadBench.Target.Tests.Compression;

/// <summary>
/// The target compresses only when asked, with what it was asked for: permessage-deflate with the offered context
/// takeover, gzip or br for poll answers (compressed once per distinct batch) and for the SSE stream (flushed per
/// event: a subscriber gets an event before the next one is even published).
/// </summary>
public sealed class CompressionEndpointTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task WebSocket_OfferedPerMessageDeflate_IsAcceptedAsOffered_AndEventsDecodeExactly(bool contextTakeover)
    {
        await using var target = await StartAsync();
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        socket.Options.DangerousDeflateOptions = new WebSocketDeflateOptions { ClientContextTakeover = contextTakeover, ServerContextTakeover = contextTakeover };
        await socket.ConnectAsync(target.WebSocketUri("?after=0"), CancellationToken.None);

        var accepted = string.Join(",", socket.HttpResponseHeaders!["Sec-WebSocket-Extensions"]);
        Assert.StartsWith("permessage-deflate", accepted, StringComparison.Ordinal);
        Assert.Equal(!contextTakeover, accepted.Contains("server_no_context_takeover", StringComparison.Ordinal));

        var published = target.Publish(3);
        var buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        foreach (var json in published)
        {
            var result = await socket.ReceiveAsync(buffer, timeout.Token);
            Assert.True(result.EndOfMessage);
            Assert.Equal(json, Encoding.UTF8.GetString(buffer, 0, result.Count));
        }
    }

    [Fact]
    public async Task CompressionOff_ByDefault_NothingCompressedWhateverTheClientAsks()
    {
        await using var target = await RunningTarget.StartAsync();
        target.Publish(2);
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        socket.Options.DangerousDeflateOptions = new WebSocketDeflateOptions();
        await socket.ConnectAsync(target.WebSocketUri("?after=0"), CancellationToken.None);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/feed/poll?after=0");
        request.Headers.TryAddWithoutValidation("Accept-Encoding", "gzip, br");
        using var poll = await target.Http.SendAsync(request);

        Assert.False(socket.HttpResponseHeaders!.ContainsKey("Sec-WebSocket-Extensions"));
        Assert.Empty(poll.Content.Headers.ContentEncoding);
    }

    [Fact]
    public async Task WebSocket_NoOffer_NoExtension()
    {
        await using var target = await StartAsync();
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        await socket.ConnectAsync(target.WebSocketUri("?after=0"), CancellationToken.None);

        Assert.False(socket.HttpResponseHeaders!.ContainsKey("Sec-WebSocket-Extensions"));
    }

    [Theory]
    [InlineData("gzip")]
    [InlineData("br")]
    public async Task Sse_Compressed_EachEventArrivesBeforeTheNextIsPublished(string coding)
    {
        await using var target = await StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, FeedRoutes.Sse + "?after=0");
        request.Headers.TryAddWithoutValidation("Accept-Encoding", coding);
        using var response = await target.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal([coding], response.Content.Headers.ContentEncoding);
        await using var stream = Decoder(coding, await response.Content.ReadAsStreamAsync());
        await using var events = SseParser.Create(stream).EnumerateAsync().GetAsyncEnumerator();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));

        // One event at a time: the next is published only after the last was decoded. A compressor that held
        // bytes back until more input came would leave this waiting (and time out).
        for (var i = 0; i < 3; i++)
        {
            var json = Assert.Single(target.Publish(1));
            Assert.True(await events.MoveNextAsync().AsTask().WaitAsync(timeout.Token));
            Assert.Equal(json, events.Current.Data);
        }
    }

    [Theory]
    [InlineData("gzip")]
    [InlineData("br")]
    public async Task Poll_AcceptEncoding_CompressesTheArray_OncePerDistinctBatch(string coding)
    {
        await using var target = await StartAsync();
        var published = target.Publish(4);
        var batches = target.Service<CompressedBatches>();
        var before = batches.Compressions;

        var first = await PollAsync(target.Http, "/feed/poll?after=1", coding);
        var second = await PollAsync(target.Http, "/feed/poll?after=1", coding);
        var other = await PollAsync(target.Http, "/feed/poll?after=2", coding);

        Assert.Equal("[" + string.Join(",", published.Skip(1)) + "]", first);
        Assert.Equal(first, second);
        Assert.Equal("[" + string.Join(",", published.Skip(2)) + "]", other);
        Assert.Equal(2, batches.Compressions - before); // the repeated batch came from the cache
    }

    [Fact]
    public void Options_CompressionNeitherOnNorOff_IsRefused() =>
        Assert.Throws<LoadBench.Target.Hosting.TargetConfigurationException>(() => LoadBench.Target.Hosting.TargetOptionsReader.Read(
            new ConfigurationBuilder().AddInMemoryCollection([new("compression", "yes")]).Build()));

    [Fact]
    public async Task Poll_NoAcceptEncoding_Uncompressed()
    {
        await using var target = await StartAsync();
        target.Publish(2);

        using var response = await target.Http.GetAsync("/feed/poll?after=0");

        Assert.Empty(response.Content.Headers.ContentEncoding);
    }

    [Theory]
    [InlineData("gzip, deflate, br, zstd", "br")]
    [InlineData("gzip", "gzip")]
    [InlineData("br;q=0, gzip;q=0.5", "gzip")]
    [InlineData("identity", null)]
    [InlineData("", null)]
    public void Negotiate_PrefersBrotli_RefusesQualityZero(string acceptEncoding, string? expected) =>
        Assert.Equal(expected, ResponseCodings.Negotiate(acceptEncoding));

    private static Task<RunningTarget> StartAsync() => RunningTarget.StartAsync("--compression", "on");

    private static Stream Decoder(string coding, Stream compressed) => coding == "br"
        ? new BrotliStream(compressed, CompressionMode.Decompress)
        : new GZipStream(compressed, CompressionMode.Decompress);

    private static async Task<string> PollAsync(HttpClient http, string uri, string coding)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        request.Headers.TryAddWithoutValidation("Accept-Encoding", coding);
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal([coding], response.Content.Headers.ContentEncoding);
        var body = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(body.Length, response.Content.Headers.ContentLength);
        await using var decoder = Decoder(coding, new MemoryStream(body));
        using var reader = new StreamReader(decoder, Encoding.UTF8);
        return await reader.ReadToEndAsync();
    }
}
