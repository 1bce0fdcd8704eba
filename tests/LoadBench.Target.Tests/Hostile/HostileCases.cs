using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Text;
using LoadBench.Contracts;
using LoadBench.Target.Tests.TestSupport;

namespace LoadBench.Target.Tests.Hostile;

/// <summary>
/// The hostile-input catalogue: each case does one hostile thing to the target and asserts its rejection.
/// <see cref="HostileInputCatalogueTests"/> runs each beside well-behaved clients of every transport and checks
/// they still get their events afterwards. The expected answers are the README's "Hostile input" table.
/// </summary>
internal static class HostileCases
{
    /// <summary>Every route, with the method it answers: an oversized body is refused on all of them.</summary>
    private static readonly (string Method, string Path)[] Routes =
    [
        ("GET", FeedRoutes.Poll + "?after=0"), ("GET", FeedRoutes.LongPoll + "?after=0&timeout=0"), ("GET", FeedRoutes.Sse + "?after=0"),
        ("GET", FeedRoutes.WebSocket + "?after=0"), ("GET", FeedRoutes.Info), ("PUT", FeedRoutes.Settings), ("POST", FeedRoutes.Faults),
        ("POST", FeedRoutes.DropConnections), ("GET", FeedRoutes.Stats),
    ];

    /// <summary>The feed routes that read a cursor, and how each says "bad cursor": before any event or upgrade.</summary>
    private static readonly string[] CursorRoutes = [FeedRoutes.Poll, FeedRoutes.LongPoll, FeedRoutes.Sse, FeedRoutes.WebSocket];

    private static readonly (string Name, string Value)[] BadCursors =
    [
        ("garbage", "abc%00%FF"), ("negative", "-5"), ("huge", "99999999999999999999999999"),
    ];

    public static IReadOnlyDictionary<string, Func<RunningTarget, Task>> All { get; } = Build();

    private static Dictionary<string, Func<RunningTarget, Task>> Build()
    {
        var cases = new Dictionary<string, Func<RunningTarget, Task>>(StringComparer.Ordinal);

        // Oversized bodies: a declared Content-Length over 64 KiB is refused before any route reads a byte.
        foreach (var (method, path) in Routes)
        {
            cases[$"body_over_limit {method} {path}"] = target => OversizedBodyAsync(target, method, path);
        }

        cases["body_chunked_growing_past_limit PUT /feed/settings"] = ChunkedBodyPastLimitAsync;
        cases["body_slower_than_min_rate PUT /feed/settings"] = SlowBodyAsync;

        // Control routes without the token.
        cases["control_settings_without_token"] = target => UnauthorizedAsync(target, HttpMethod.Put, FeedRoutes.Settings, """{"ratePerSecond":5}""", token: null);
        cases["control_settings_wrong_token"] = target => UnauthorizedAsync(target, HttpMethod.Put, FeedRoutes.Settings, """{"ratePerSecond":5}""", token: "catalogue-0123456789abcdeX");
        cases["control_settings_other_case_and_slash"] = target => UnauthorizedAsync(target, HttpMethod.Put, "/FEED/Settings/", """{"ratePerSecond":5}""", token: null);
        cases["control_drop_connections_without_token"] = target => UnauthorizedAsync(target, HttpMethod.Post, FeedRoutes.DropConnections, null, token: null);
        cases["control_faults_post_without_token"] = target => UnauthorizedAsync(target, HttpMethod.Post, FeedRoutes.Faults, """{"kind":"drop-all"}""", token: null);
        cases["control_faults_get_without_token"] = target => UnauthorizedAsync(target, HttpMethod.Get, FeedRoutes.Faults, null, token: null);
        cases["control_stats_gc_without_token"] = target => UnauthorizedAsync(target, HttpMethod.Get, FeedRoutes.Stats + "?gc=true", null, token: null);

        // Cursors: garbage, negative and huge `after` on every transport, and `Last-Event-ID` on SSE.
        foreach (var route in CursorRoutes)
        {
            foreach (var (name, value) in BadCursors)
            {
                cases[$"after_{name} {route}"] = target => BadCursorAsync(target, route, value);
            }
        }

        foreach (var (name, value) in BadCursors)
        {
            cases[$"last_event_id_{name} {FeedRoutes.Sse}"] = target => BadLastEventIdAsync(target, Uri.UnescapeDataString(value).Replace("\0", "", StringComparison.Ordinal));
        }

        cases["long_poll_timeout_negative_and_huge"] = target => BadParametersAsync(target, "timeout",
            $"{FeedRoutes.LongPoll}?after=0&timeout=-1", $"{FeedRoutes.LongPoll}?after=0&timeout=99999999999", $"{FeedRoutes.LongPoll}?after=0&timeout=1e3");
        cases["poll_max_zero_and_huge"] = target => BadParametersAsync(target, "max",
            $"{FeedRoutes.Poll}?after=0&max=0", $"{FeedRoutes.Poll}?after=0&max=2147483648", $"{FeedRoutes.LongPoll}?after=0&max=-7");
        cases["stats_gc_garbage_with_token"] = target => BadParametersAsync(target, "gc", $"{FeedRoutes.Stats}?gc=yes%00");

        // Query strings and headers.
        cases["query_malformed_percent_and_repeated"] = MalformedQueryAsync;
        cases["request_line_over_limit"] = target => KestrelRefusesAsync(target, $"GET {FeedRoutes.Poll}?after=0&pad={new string('a', 9000)} HTTP/1.1\r\nHost: x\r\n\r\n", 414);
        cases["headers_over_total_limit"] = target => KestrelRefusesAsync(target, $"GET {FeedRoutes.Sse} HTTP/1.1\r\nHost: x\r\nLast-Event-ID: {new string('1', 20_000)}\r\n\r\n", 431);
        cases["headers_too_many"] = target => KestrelRefusesAsync(target, $"GET {FeedRoutes.Info} HTTP/1.1\r\nHost: x\r\n{string.Concat(Enumerable.Range(0, 100).Select(i => $"X-H{i}: v\r\n"))}\r\n", 431);
        cases["header_malformed_line"] = target => KestrelRefusesAsync(target, $"GET {FeedRoutes.Info} HTTP/1.1\r\nHost: x\r\nNo colon here\r\n\r\n", 400);
        cases["request_garbage_bytes"] = target => KestrelRefusesAsync(target, "\u0001\u0002garbage that is not HTTP\r\n\r\n", 400);

        // Protocol versions and connection handling.
        cases["http10_poll_and_info"] = Http10Async;
        cases["pipelined_requests_answered_in_order"] = PipelinedAsync;
        cases["slow_headers_timed_out"] = SlowHeadersAsync;
        cases["half_closed_after_request"] = HalfClosedAfterRequestAsync;
        cases["half_closed_mid_head"] = HalfClosedMidHeadAsync;
        cases["half_closed_sse_subscriber_released"] = HalfClosedSseSubscriberAsync;
        cases["tls_client_hello_bytes_on_plain_port"] = target => KestrelRefusesAsync(target, ClientHello(), 400);
        cases["tls_handshake_on_plain_port_fails_fast"] = TlsHandshakeAsync;
        cases["http2_preface_on_http1_port"] = Http2PrefaceAsync;

        // WebSocket: upgrades that are not, and clients that send to the receive-only feed.
        cases["ws_upgrade_missing_key"] = target => BadUpgradeAsync(target, "Connection: Upgrade", "Upgrade: websocket", "Sec-WebSocket-Version: 13");
        cases["ws_upgrade_wrong_version"] = target => BadUpgradeAsync(target, "Connection: Upgrade", "Upgrade: websocket", "Sec-WebSocket-Version: 8", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==");
        cases["ws_text_message_closed_1008"] = target => WebSocketSendsAsync(target, [RawWebSocket.Frame(1, "hello"u8)], 1008);
        cases["ws_binary_message_closed_1008"] = target => WebSocketSendsAsync(target, [RawWebSocket.Frame(2, [1, 2, 3])], 1008);
        cases["ws_oversized_message_closed_1009"] = target => WebSocketSendsAsync(target, [RawWebSocket.Frame(2, new byte[64 * 1024])], 1009);
        cases["ws_huge_declared_length_closed_1009"] = target => WebSocketSendsAsync(target, [RawWebSocket.Frame(2, new byte[4096], declaredLength: 1L << 40)], 1009);
        cases["ws_fragmented_flood_closed_1009"] = target => WebSocketSendsAsync(target,
            [RawWebSocket.Frame(1, "a"u8, fin: false), .. Enumerable.Range(0, 2000).Select(_ => RawWebSocket.Frame(0, "aa"u8, fin: false))], 1009);
        cases["ws_message_flood_closed_1008"] = target => WebSocketSendsAsync(target,
            [.. Enumerable.Range(0, 5000).Select(_ => RawWebSocket.Frame(2, [7]))], 1008);
        return cases;
    }

    private static async Task OversizedBodyAsync(RunningTarget target, string method, string path)
    {
        // The declared length is 1 MiB; only its first KiB is sent: the refusal must not wait for the rest.
        var head = $"{method} {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {HostileTarget.Token}\r\nContent-Type: application/json\r\nContent-Length: {1 << 20}\r\n\r\n";
        var answer = await RawExchange.SendAsync(target.BaseAddress, [Encoding.ASCII.GetBytes(head), new byte[1024]]);
        RawExchange.AssertProblem(answer, 413);
    }

    private static async Task ChunkedBodyPastLimitAsync(RunningTarget target)
    {
        var head = $"PUT {FeedRoutes.Settings} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {HostileTarget.Token}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
        // Valid JSON so far (whitespace), so only the size can be what is refused.
        var chunk = "{\"ratePerSecond\":" + new string(' ', 8000);
        var chunks = Enumerable.Range(0, 10).Select(i => Encoding.ASCII.GetBytes($"{(i == 0 ? chunk : new string(' ', 8000)).Length:x}\r\n{(i == 0 ? chunk : new string(' ', 8000))}\r\n"));
        var answer = await RawExchange.SendAsync(target.BaseAddress, [Encoding.ASCII.GetBytes(head), .. chunks]);
        RawExchange.AssertProblem(answer, 413);
        Assert.Equal(0, target.Log.Info().RatePerSecond);
    }

    private static async Task SlowBodyAsync(RunningTarget target)
    {
        var head = $"PUT {FeedRoutes.Settings} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {HostileTarget.Token}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{{";
        // Two bytes, then nothing: far below 240 bytes/s once the grace period is over.
        var answer = await RawExchange.SendAsync(target.BaseAddress, [Encoding.ASCII.GetBytes(head), "\""u8.ToArray()], pause: TimeSpan.FromMilliseconds(100));
        RawExchange.AssertProblem(answer, 408);
        Assert.Equal(0, target.Log.Info().RatePerSecond);
    }

    private static async Task UnauthorizedAsync(RunningTarget target, HttpMethod method, string path, string? body, string? token)
    {
        var before = target.Log.Info();
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue(ControlToken.Scheme, token);
        }

        using var response = await target.Http.SendAsync(request);
        await Problems.AssertProblemAsync(response, HttpStatusCode.Unauthorized);
        Assert.Equal(ControlToken.Scheme, Assert.Single(response.Headers.WwwAuthenticate).Scheme);
        // Nothing changed: the rate is as before (and the bystanders, checked after, were not dropped).
        Assert.Equal(before, target.Log.Info());
    }

    private static async Task BadCursorAsync(RunningTarget target, string route, string value)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{route}?after={value}");
        if (route == FeedRoutes.WebSocket)
        {
            // A real upgrade request: the cursor is checked before the upgrade is accepted.
            foreach (var header in RawWebSocket.ValidUpgradeHeaders())
            {
                var (name, headerValue) = (header[..header.IndexOf(':', StringComparison.Ordinal)], header[(header.IndexOf(':', StringComparison.Ordinal) + 2)..]);
                request.Headers.TryAddWithoutValidation(name, headerValue);
            }
        }

        using var response = await target.Http.SendAsync(request);
        var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("after", problem.GetProperty("parameter").GetString());
    }

    private static async Task BadLastEventIdAsync(RunningTarget target, string value)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, FeedRoutes.Sse + "?after=0");
        request.Headers.TryAddWithoutValidation("Last-Event-ID", value);
        using var response = await target.Http.SendAsync(request);
        var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("Last-Event-ID", problem.GetProperty("parameter").GetString());
    }

    private static async Task BadParametersAsync(RunningTarget target, string parameter, params string[] paths)
    {
        foreach (var path in paths)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Authorization = new AuthenticationHeaderValue(ControlToken.Scheme, HostileTarget.Token);
            using var response = await target.Http.SendAsync(request);
            var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.BadRequest);
            Assert.Equal(parameter, problem.GetProperty("parameter").GetString());
        }
    }

    private static async Task MalformedQueryAsync(RunningTarget target)
    {
        foreach (var query in new[] { "?after=%ZZ", "?after=1&after=1", "?after=%C3%28", "?max=%00", "?after=0&max=1e9" })
        {
            using var response = await target.Http.GetAsync(FeedRoutes.Poll + query);
            await Problems.AssertProblemAsync(response, HttpStatusCode.BadRequest);
        }
    }

    /// <summary>Kestrel answers these itself (no problem+json: no route ran) and closes the connection.</summary>
    private static async Task KestrelRefusesAsync(RunningTarget target, string request, int status)
    {
        var answer = await RawExchange.SendAsync(target.BaseAddress, request);
        Assert.Equal([status], RawExchange.Statuses(answer));
    }

    private static async Task Http10Async(RunningTarget target)
    {
        var answer = await RawExchange.SendAsync(target.BaseAddress, $"GET {FeedRoutes.Poll}?after=0 HTTP/1.0\r\n\r\n");
        Assert.Equal([200], RawExchange.Statuses(answer));
        Assert.Contains("\"seq\":1", answer, StringComparison.Ordinal);
        answer = await RawExchange.SendAsync(target.BaseAddress, $"GET {FeedRoutes.Info} HTTP/1.0\r\n\r\n");
        Assert.Equal([200], RawExchange.Statuses(answer));
    }

    private static async Task PipelinedAsync(RunningTarget target)
    {
        // Three requests in one write; the last asks to close, so the answer ends.
        var request = $"GET {FeedRoutes.Info} HTTP/1.1\r\nHost: x\r\n\r\nGET {FeedRoutes.Poll}?after=abc HTTP/1.1\r\nHost: x\r\n\r\nGET {FeedRoutes.Poll}?after=0 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
        var answer = await RawExchange.SendAsync(target.BaseAddress, request);
        Assert.Equal([200, 400, 200], RawExchange.Statuses(answer));
        Assert.EndsWith("]", answer, StringComparison.Ordinal);
    }

    private static async Task SlowHeadersAsync(RunningTarget target)
    {
        // Half a head, then silence: Kestrel's RequestHeadersTimeout (1 s here, 10 s shipped) ends it.
        var answer = await RawExchange.SendAsync(target.BaseAddress, [Encoding.ASCII.GetBytes($"GET {FeedRoutes.Info} HTTP/1.1\r\nHost: x\r\n")]);
        Assert.Equal([408], RawExchange.Statuses(answer));
    }

    // Kestrel takes a client's FIN as the end of the connection, not half of it (dotnet/aspnetcore#13188, #24462):
    // the answer may be cut. What must hold: the target closes the connection at once (RawExchange fails the test
    // after 10 s), and whatever it did answer is the right answer.
    private static async Task HalfClosedAfterRequestAsync(RunningTarget target)
    {
        var answer = await RawExchange.SendAsync(target.BaseAddress, $"GET {FeedRoutes.Poll}?after=0 HTTP/1.1\r\nHost: x\r\n\r\n", halfClose: true);
        Assert.True(RawExchange.Statuses(answer) is [] or [200], answer);
    }

    private static async Task HalfClosedMidHeadAsync(RunningTarget target)
    {
        var answer = await RawExchange.SendAsync(target.BaseAddress, $"GET {FeedRoutes.Poll}?after=0 HTTP/1.1\r\nHo", halfClose: true);
        // The head can never complete: refused or closed, never answered as if it had.
        Assert.True(RawExchange.Statuses(answer) is [] or [400], answer);
    }

    private static async Task HalfClosedSseSubscriberAsync(RunningTarget target)
    {
        var webSockets = target.Stats.WebSocket.Snapshot().OpenConnections;
        using var client = new System.Net.Sockets.TcpClient { NoDelay = true };
        await client.ConnectAsync(target.BaseAddress.Host, target.BaseAddress.Port);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET {FeedRoutes.Sse}?after=0 HTTP/1.1\r\nHost: x\r\n\r\n"));
        await Wait.UntilAsync(() => target.Stats.Sse.Snapshot().OpenConnections == 2, "the half-closing subscriber to be streamed to");

        client.Client.Shutdown(System.Net.Sockets.SocketShutdown.Send);

        // Its stream ends and its subscription is released; the bystander's SSE stream stays.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var buffer = new byte[16 * 1024];
        try
        {
            while (await stream.ReadAsync(buffer, timeout.Token) > 0)
            {
            }
        }
        catch (IOException)
        {
            // Ended by a reset: ended all the same.
        }

        await Wait.UntilAsync(() => target.Stats.Sse.Snapshot().OpenConnections == 1, "the half-closed subscription to be released");
        Assert.Equal(webSockets, target.Stats.WebSocket.Snapshot().OpenConnections);
    }

    /// <summary>The start of a TLS 1.2 ClientHello record (content type 22, version 3.1), as a browser sends it to an https:// URL.</summary>
    private static string ClientHello() => Encoding.Latin1.GetString(
        [0x16, 0x03, 0x01, 0x00, 0x31, 0x01, 0x00, 0x00, 0x2d, 0x03, 0x03, .. new byte[32], 0x00, 0x00, 0x02, 0x00, 0x2f, 0x01, 0x00, 0x00, 0x02, 0xff, 0x01]);

    private static async Task TlsHandshakeAsync(RunningTarget target)
    {
        using var client = new System.Net.Sockets.TcpClient();
        await client.ConnectAsync(target.BaseAddress.Host, target.BaseAddress.Port);
        using var tls = new SslStream(client.GetStream());
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        // A real ClientHello; the plain port must refuse it, not hang or fall over.
        var handshake = tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost" }, timeout.Token);
        var failure = await Record.ExceptionAsync(() => handshake);
        Assert.True(failure is System.Security.Authentication.AuthenticationException or IOException, failure?.ToString());
        Assert.False(timeout.IsCancellationRequested, "the plain port let a TLS handshake hang");
    }

    private static async Task Http2PrefaceAsync(RunningTarget target)
    {
        // Kestrel recognises the HTTP/2 preface on an HTTP/1.1 port and answers in HTTP/2: a GOAWAY frame
        // (9-byte frame header, type 7), then closes. Never an HTTP/1.1 answer as if it were a request.
        var answer = await RawExchange.SendAsync(target.BaseAddress, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
        Assert.True(answer.Length >= 9 && answer[3] == '\u0007', $"expected a GOAWAY frame, got '{answer}'");
        Assert.Empty(RawExchange.Statuses(answer));
    }

    private static async Task BadUpgradeAsync(RunningTarget target, params string[] headers)
    {
        var (socket, head) = await RawWebSocket.UpgradeAsync(target.BaseAddress, FeedRoutes.WebSocket + "?after=0", [.. headers, "Connection: close"]);
        using (socket)
        {
            Assert.StartsWith("HTTP/1.1 400", head, StringComparison.Ordinal);
            Assert.Contains("application/problem+json", head, StringComparison.Ordinal);
        }
    }

    private static async Task WebSocketSendsAsync(RunningTarget target, IReadOnlyList<byte[]> frames, int expectedClose)
    {
        using var socket = await RawWebSocket.ConnectAsync(target.BaseAddress, FeedRoutes.WebSocket + "?after=0");
        await socket.WriteAsync([.. frames.SelectMany(f => f)]);
        var (status, reason) = await socket.ReadCloseAsync();
        Assert.Equal(expectedClose, status);
        if (expectedClose is 1008 or 1009)
        {
            Assert.Contains("receive-only", reason, StringComparison.Ordinal);
        }
    }
}
