using System.Net.Http.Json;
using System.Text.Json;
using LoadBench.Contracts;
using LoadBench.Demo.Tests.TestSupport;
using LoadBench.Reporting;
using Xunit.Abstractions;

namespace LoadBench.Demo.Tests;

/// <summary>
/// The teaching page in a real browser against the real target, publishing live at 20 events/s. Every wait is
/// for a condition the page shows (with a generous limit); nothing here asserts how long anything took.
/// </summary>
public sealed class DemoPageTests(ChromiumFixture chromium, ITestOutputHelper output) : IClassFixture<ChromiumFixture>
{
    private const double StartRate = 20;

    /// <summary>A bound on any one test, so a hung browser or target cannot hold the suite.</summary>
    private static readonly TimeSpan TestLimit = TimeSpan.FromSeconds(120);

    private readonly List<string> _browserErrors = [];

    [Fact]
    public async Task DemoPage_FeedRunning_EveryPanelReceivesEveryEventOnceInOrder()
    {
        using var timeout = new CancellationTokenSource(TestLimit);
        var cancellationToken = timeout.Token;
        await using var target = await StartPublishingAsync(cancellationToken);
        await using var demo = await DemoPage.OpenAsync(chromium.Browser, DemoUri(target), 1600, 1000, _browserErrors);

        var first = await demo.WaitUntilAsync(
            s => s.Panels.All(p => p.State == "connected" && p.Received >= 10),
            "all four panels are connected and have received 10 events");
        Assert.Equal(TransportIds.All, first.Panels.Select(p => p.Transport));

        // Counters rise: wait for 20 more events in every panel and for the target's /stats to be read twice.
        var later = await demo.WaitUntilAsync(
            s => s.Panels.All(p => p.Received >= first[p.Transport].Received + 20 && p.BytesPayload is not null),
            "every panel received 20 more events and shows bytes per event");

        var info = await target.InfoAsync(cancellationToken);
        foreach (var panel in later.Panels)
        {
            AssertEveryEventOnceInOrder(later, panel);
            Assert.True(panel.LastSeq <= info.LatestSeq, $"{panel.Transport}: last seq {panel.LastSeq} beyond the feed's latest {info.LatestSeq}");
            Assert.True(panel.Requests > first[panel.Transport].Requests || panel.Transport is TransportIds.Sse or TransportIds.WebSocket,
                $"{panel.Transport}: the page's request count did not rise");
            Assert.True(panel.TargetRequests >= 1, $"{panel.Transport}: the target's request count is not shown");
            Assert.True(panel.LatencyP50Ms >= 0 && panel.LatencyP99Ms >= panel.LatencyP50Ms, $"{panel.Transport}: p50 {panel.LatencyP50Ms}, p99 {panel.LatencyP99Ms}");
        }

        // Bytes per event against independent truths. Payload: the length of an event's JSON as the target sends
        // it (seq has as many digits as the panels' last seq, to within one digit change: ±1 byte).
        // max=1: the feed moves on meanwhile, and exactly one event is wanted.
        var eventJson = await target.Http.GetStringAsync($"{FeedRoutes.Poll}?after={info.LatestSeq - 1}&max=1", cancellationToken);
        var eventBytes = System.Text.Encoding.UTF8.GetByteCount(eventJson) - 2; // one event, without '[' and ']'
        var ws = later[TransportIds.WebSocket];
        Assert.InRange(ws.BytesPayload!.Value, eventBytes - 1, eventBytes + 1);
        // Framing: RFC 6455 gives an unmasked server frame with under 126 payload bytes a 2-byte header, and the
        // browser sends nothing back on a quiet socket: exactly 2 bytes per event.
        Assert.True(eventBytes < 126, $"the test assumes a small event, got {eventBytes} bytes");
        Assert.Equal(2, ws.BytesFraming!.Value, precision: 6);

        // Each panel wears its transport's colour from the report's charts.
        foreach (var transport in TransportIds.All)
        {
            var colour = await demo.Page.EvaluateAsync<string>(
                $"() => getComputedStyle(document.querySelector('#panel-{transport} h2')).backgroundColor");
            Assert.Equal(CssRgb(TransportColors.Hex(transport)), colour);
        }

        // Side by side on a wide screen: one row of four.
        var tops = await demo.Page.EvaluateAsync<double[]>("() => [...document.querySelectorAll('section.panel')].map(p => p.getBoundingClientRect().top)");
        Assert.Single(tops.Distinct());

        output.WriteLine($"Screenshot: {await demo.ScreenshotAsync("demo-running.png")}");
        Assert.Empty(_browserErrors);
    }

    [Fact]
    public async Task DemoPage_RateRaisedWithTheControls_ReceivedRateRises()
    {
        using var timeout = new CancellationTokenSource(TestLimit);
        var cancellationToken = timeout.Token;
        await using var target = await StartPublishingAsync(cancellationToken);
        await using var demo = await DemoPage.OpenAsync(chromium.Browser, DemoUri(target), 1600, 1000, _browserErrors);
        await demo.WaitUntilAsync(s => s.Panels.All(p => p.State == "connected"), "all four panels are connected");

        // A short poll interval keeps the polling panel's events/s smooth enough to compare.
        await demo.SubmitSettingsAsync(2, pollIntervalMs: 200);
        await WaitForFeedRateAsync(target, 2, cancellationToken);
        var slow = await demo.WaitUntilAsync(
            s => s.Panels.All(p => p.Rate <= 4),
            "every panel receives at most 4 events/s at a feed rate of 2");

        await demo.SubmitSettingsAsync(40);
        await WaitForFeedRateAsync(target, 40, cancellationToken);
        var fast = await demo.WaitUntilAsync(
            s => s.Panels.All(p => p.Rate >= 20),
            "every panel receives at least 20 events/s at a feed rate of 40");

        foreach (var panel in fast.Panels)
        {
            Assert.True(panel.Rate > 4 * slow[panel.Transport].Rate, $"{panel.Transport}: {slow[panel.Transport].Rate}/s at rate 2, {panel.Rate}/s at rate 40");
            AssertEveryEventOnceInOrder(fast, panel);
        }

        Assert.Empty(_browserErrors);
    }

    [Fact]
    public async Task DemoPage_DropConnections_EveryPanelRecoversWithoutMissingAnEvent()
    {
        using var timeout = new CancellationTokenSource(TestLimit);
        var cancellationToken = timeout.Token;
        await using var target = await StartPublishingAsync(cancellationToken);
        await using var demo = await DemoPage.OpenAsync(chromium.Browser, DemoUri(target), 1600, 1000, _browserErrors);
        var before = await demo.WaitUntilAsync(
            s => s.Panels.All(p => p.State == "connected" && p.Received >= 10),
            "all four panels are connected and have received 10 events");
        var statsBefore = await target.StatsAsync(cancellationToken);

        // Keyboard only: Tab to the button (it must be in the tab order, with a visible focus ring), then Enter.
        await TabToAsync(demo, "drop");
        var outline = await demo.Page.EvaluateAsync<string>("() => getComputedStyle(document.activeElement).outlineStyle");
        Assert.NotEqual("none", outline);
        await demo.Page.Keyboard.PressAsync("Enter");
        await demo.WaitUntilAsync(s => s.Drops == 1, "the page reports the drop");

        var highestBefore = before.Panels.Max(p => p.LastSeq!.Value);
        var after = await demo.WaitUntilAsync(
            s => s.Panels.All(p => p.State == "connected" && p.LastSeq >= highestBefore + 20)
                 && s[TransportIds.Sse].Reconnects >= 1 && s[TransportIds.WebSocket].Reconnects >= 1,
            "SSE and WebSocket reconnected and every panel received 20 events past the drop");

        foreach (var panel in after.Panels)
        {
            AssertEveryEventOnceInOrder(after, panel);
        }

        // The streams really were cut and reopened on the wire: the target saw a second SSE request and a second
        // WebSocket session (a browser-side count alone could be a bookkeeping mistake).
        var statsAfter = await target.StatsAsync(cancellationToken);
        foreach (var transport in new[] { TransportIds.Sse, TransportIds.WebSocket })
        {
            Assert.True(statsAfter.Transports[transport].Requests > statsBefore.Transports[transport].Requests,
                $"{transport}: {statsBefore.Transports[transport].Requests} requests before the drop, {statsAfter.Transports[transport].Requests} after");
        }

        Assert.Contains("dropped", after.Status, StringComparison.Ordinal);
        output.WriteLine($"Screenshot: {await demo.ScreenshotAsync("demo-after-drop.png")}");
        Assert.Empty(_browserErrors);
    }

    [Fact]
    public async Task DemoPage_RestartTheFeed_EveryTransportReportsTheReset_ThenReceivesTheNewFeedFromItsFirstEvent()
    {
        using var timeout = new CancellationTokenSource(TestLimit);
        var cancellationToken = timeout.Token;
        await using var target = await StartPublishingAsync(cancellationToken);
        await using var demo = await DemoPage.OpenAsync(chromium.Browser, DemoUri(target), 1600, 1000, _browserErrors);
        var before = await demo.WaitUntilAsync(
            s => s.Panels.All(p => p.State == "connected" && p.Received >= 5),
            "all four panels are connected and have received 5 events");
        var oldEpoch = (await target.InfoAsync(cancellationToken)).Epoch!;
        Assert.All(before.Panels, p => Assert.Equal(oldEpoch, p.Epoch));

        await demo.Page.ClickAsync("#fault-restart");

        var after = await demo.WaitUntilAsync(
            s => s.Panels.All(p => p.Resets == 1 && p.State == "connected" && p.ReceivedInEpoch >= 10),
            "every panel reported the reset and received 10 events of the new feed");
        var info = await target.InfoAsync(cancellationToken);
        Assert.NotEqual(oldEpoch, info.Epoch);
        foreach (var panel in after.Panels)
        {
            Assert.Equal(info.Epoch, panel.Epoch);
            // The new feed from its first event, each once, in order: a reset, not a loss.
            Assert.True(panel.Missed == 0 && panel.OutOfOrder == 0, $"{panel.Transport}: missed {panel.Missed}, out of order {panel.OutOfOrder}");
            Assert.True(panel.LastSeq == panel.ReceivedInEpoch,
                $"{panel.Transport}: received {panel.ReceivedInEpoch} events of the new feed, up to seq {panel.LastSeq}");
            Assert.True(panel.LastSeq <= info.LatestSeq, $"{panel.Transport}: seq {panel.LastSeq} beyond the new feed's latest {info.LatestSeq}");
        }

        var faults = await target.Http.GetFromJsonAsync(FeedRoutes.Faults, ContractsJson.Default.FaultRecordArray, cancellationToken);
        Assert.Equal([FaultKinds.Restart], faults!.Select(f => f.Kind));
        Assert.Contains("restarted", after.Status, StringComparison.Ordinal);
        output.WriteLine($"Screenshot: {await demo.ScreenshotAsync("demo-after-restart.png")}");
        Assert.Empty(_browserErrors);
    }

    [Fact]
    public async Task DemoPage_PhoneViewport_PanelsStackInOneColumnWithoutSideScrolling()
    {
        using var timeout = new CancellationTokenSource(TestLimit);
        var cancellationToken = timeout.Token;
        await using var target = await StartPublishingAsync(cancellationToken);
        await using var demo = await DemoPage.OpenAsync(chromium.Browser, DemoUri(target), 390, 844, _browserErrors);
        await demo.WaitUntilAsync(s => s.Panels.All(p => p.Received >= 1), "every panel received an event");

        var boxes = await demo.Page.EvaluateAsync<double[][]>(
            "() => [...document.querySelectorAll('section.panel')].map(p => { const r = p.getBoundingClientRect(); return [r.left, r.top, r.width]; })");
        Assert.Single(boxes.Select(b => b[0]).Distinct());
        Assert.Equal(boxes.Select(b => b[1]).Order(), boxes.Select(b => b[1]));
        Assert.Equal(4, boxes.Select(b => b[1]).Distinct().Count());
        var overflow = await demo.Page.EvaluateAsync<double>("() => document.documentElement.scrollWidth - window.innerWidth");
        Assert.True(overflow <= 0, $"the page is {overflow} px wider than a phone's screen");
        output.WriteLine($"Screenshot: {await demo.ScreenshotAsync("demo-phone.png")}");
        Assert.Empty(_browserErrors);
    }

    /// <summary>
    /// Every event once, in order, none missed: the page's own gap and order counters are zero, and — counted
    /// independently of them — the number received equals the span of seqs from the page's start to its last.
    /// </summary>
    private static void AssertEveryEventOnceInOrder(DemoState state, PanelState panel)
    {
        Assert.True(panel.Missed == 0, $"{panel.Transport} missed {panel.Missed} events");
        Assert.True(panel.OutOfOrder == 0, $"{panel.Transport} got {panel.OutOfOrder} duplicate or out-of-order events");
        Assert.True(panel.Received == panel.LastSeq - state.StartSeq,
            $"{panel.Transport}: received {panel.Received} events from seq {state.StartSeq + 1} to {panel.LastSeq}");
    }

    /// <summary><c>#RRGGBB</c> as <c>getComputedStyle</c> writes it: <c>rgb(r, g, b)</c>.</summary>
    private static string CssRgb(string hex)
    {
        var rgb = Convert.FromHexString(hex.TrimStart('#'));
        return $"rgb({rgb[0]}, {rgb[1]}, {rgb[2]})";
    }

    /// <summary>The target publishing on its own: the page is watched live, as a class sees it.</summary>
    private static Task<RunningTarget> StartPublishingAsync(CancellationToken cancellationToken) =>
        RunningTarget.StartAsync(["--rate", StartRate.ToString(System.Globalization.CultureInfo.InvariantCulture)], cancellationToken);

    private static Uri DemoUri(RunningTarget target) => new(target.BaseAddress, "/demo");

    private static async Task WaitForFeedRateAsync(RunningTarget target, double rate, CancellationToken cancellationToken)
    {
        // The form's PUT is asynchronous: wait until the target itself reports the new rate.
        for (var attempt = 0; attempt < 150; attempt++)
        {
            if ((await target.InfoAsync(cancellationToken)).RatePerSecond == rate)
            {
                return;
            }

            await Task.Delay(100, cancellationToken);
        }

        var info = await target.InfoAsync(cancellationToken);
        Assert.Fail($"The page's form did not set the feed rate to {rate}: /feed/info says {JsonSerializer.Serialize(info, ContractsJson.Default.FeedInfo)}");
    }

    private static async Task TabToAsync(DemoPage demo, string elementId)
    {
        for (var presses = 0; presses < 20; presses++)
        {
            await demo.Page.Keyboard.PressAsync("Tab");
            if (await demo.Page.EvaluateAsync<string>("() => document.activeElement?.id ?? ''") == elementId)
            {
                return;
            }
        }

        Assert.Fail($"#{elementId} was not reached with 20 presses of Tab: it is not in the keyboard's tab order.");
    }
}
