using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Playwright;

namespace LoadBench.Demo.Tests.TestSupport;

/// <summary>
/// The demo page as a test sees it: the numbers every panel writes into its <c>data-*</c> attributes, read
/// together in one evaluation so the four panels are compared at the same moment.
/// </summary>
public sealed class DemoPage(IBrowserContext context, IPage page) : IAsyncDisposable
{
    /// <summary>Generous: the machine may be busy, and an EventSource waits ~3 s before it reconnects.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    private const string ReadScript = """
        () => JSON.stringify({
          ready: document.body.dataset.ready === 'true',
          startSeq: document.body.dataset.startSeq ?? '',
          drops: document.body.dataset.drops ?? '0',
          status: document.getElementById('status').textContent,
          panels: [...document.querySelectorAll('section.panel')].map(p => ({ ...p.dataset })),
        })
        """;

    public IPage Page { get; } = page;

    public static async Task<DemoPage> OpenAsync(IBrowser browser, Uri demoUri, int width, int height, List<string> browserErrors)
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = width, Height = height } });
        var page = await context.NewPageAsync();
        page.PageError += (_, error) => browserErrors.Add($"page error: {error}");
        page.Console += (_, message) =>
        {
            // A connection reset is what "drop connections" does on purpose, and a 409 is how a poll is told the
            // feed restarted (Chromium logs both); anything else the page logs as an error is a bug (a CSP
            // refusal, a script error).
            if (message.Type == "error" && !message.Text.Contains("ERR_CONNECTION_RESET", StringComparison.Ordinal)
                && !message.Text.Contains("status of 409 (Conflict)", StringComparison.Ordinal))
            {
                browserErrors.Add($"console: {message.Text}");
            }
        };
        await page.GotoAsync(demoUri.ToString());
        var demo = new DemoPage(context, page);
        await demo.WaitUntilAsync(state => state.Ready, "the page has read /feed/info and started its four clients");
        return demo;
    }

    public async Task<DemoState> ReadAsync()
    {
        var json = await Page.EvaluateAsync<string>(ReadScript);
        return DemoState.Parse(json);
    }

    /// <summary>Reads the page until <paramref name="condition"/> holds; on timeout, fails with the last numbers seen.</summary>
    public async Task<DemoState> WaitUntilAsync(Func<DemoState, bool> condition, string what, TimeSpan? timeout = null)
    {
        var limit = timeout ?? DefaultTimeout;
        var clock = Stopwatch.StartNew();
        DemoState? last = null;
        while (true)
        {
            var json = await Page.EvaluateAsync<string>(ReadScript);
            last = DemoState.Parse(json);
            if (condition(last))
            {
                return last;
            }

            if (clock.Elapsed > limit)
            {
                Assert.Fail($"Waited {limit.TotalSeconds:0} s for: {what}. The page showed: {json}");
            }

            await Task.Delay(200);
        }
    }

    /// <summary>Sets the feed through the page's own form, the keyboard way: type, then Enter submits.</summary>
    public async Task SubmitSettingsAsync(double ratePerSecond, int? pollIntervalMs = null)
    {
        if (pollIntervalMs is { } interval)
        {
            await Page.FillAsync("#poll-interval", interval.ToString(CultureInfo.InvariantCulture));
        }

        await Page.FillAsync("#rate", ratePerSecond.ToString(CultureInfo.InvariantCulture));
        await Page.PressAsync("#rate", "Enter");
    }

    public ValueTask DisposeAsync() => new(context.CloseAsync());

    public async Task<string> ScreenshotAsync(string name)
    {
        var path = Path.Combine(Artifacts.Directory(), name);
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        return path;
    }
}

/// <summary>Everything the page shows, at one moment.</summary>
public sealed record DemoState(bool Ready, long StartSeq, int Drops, string Status, IReadOnlyList<PanelState> Panels)
{
    public PanelState this[string transport] => Panels.Single(p => p.Transport == transport);

    public static DemoState Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        var panels = root.GetProperty("panels").EnumerateArray().Select(PanelState.From).ToList();
        return new DemoState(
            root.GetProperty("ready").GetBoolean(),
            ParseLong(root.GetProperty("startSeq").GetString()) ?? -1,
            (int)(ParseLong(root.GetProperty("drops").GetString()) ?? 0),
            root.GetProperty("status").GetString() ?? "",
            panels);
    }

    internal static long? ParseLong(string? text) =>
        long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : null;

    internal static double? ParseDouble(string? text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : null;
}

/// <summary>One panel's numbers, from its <c>data-*</c> attributes (see Demo/Page/demo.js, render()).</summary>
public sealed record PanelState(
    string Transport, string State, long Received, long? LastSeq, long Missed, long OutOfOrder, double Rate,
    long Requests, long Reconnects, long? TargetRequests, double? LatencyP50Ms, double? LatencyP99Ms,
    double? BytesPayload, double? BytesFraming, double? BytesHeaders,
    long Resets = 0, long ReceivedInEpoch = 0, string Epoch = "")
{
    public static PanelState From(JsonElement data)
    {
        string? Text(string name) => data.TryGetProperty(name, out var value) ? value.GetString() : null;
        return new PanelState(
            Text("transport") ?? "?",
            Text("state") ?? "?",
            DemoState.ParseLong(Text("received")) ?? 0,
            DemoState.ParseLong(Text("lastSeq")),
            DemoState.ParseLong(Text("missed")) ?? 0,
            DemoState.ParseLong(Text("outOfOrder")) ?? 0,
            DemoState.ParseDouble(Text("rate")) ?? 0,
            DemoState.ParseLong(Text("requests")) ?? 0,
            DemoState.ParseLong(Text("reconnects")) ?? 0,
            DemoState.ParseLong(Text("targetRequests")),
            DemoState.ParseDouble(Text("latencyP50Ms")),
            DemoState.ParseDouble(Text("latencyP99Ms")),
            DemoState.ParseDouble(Text("bytesPayload")),
            DemoState.ParseDouble(Text("bytesFraming")),
            DemoState.ParseDouble(Text("bytesHeaders")),
            DemoState.ParseLong(Text("resets")) ?? 0,
            DemoState.ParseLong(Text("receivedInEpoch")) ?? 0,
            Text("epoch") ?? "");
    }
}
