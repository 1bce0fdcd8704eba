using Microsoft.Playwright;

namespace LoadBench.Demo.Tests.TestSupport;

/// <summary>
/// One headless Debian Chromium for all browser tests of a class, driven by Playwright. Playwright's own
/// browser download does not work here, so the system's Chromium is used; a missing one fails every test loudly
/// (never a skip: a demo nobody tested is a demo that breaks in front of a class).
/// </summary>
public sealed class ChromiumFixture : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    /// <summary>What Chromium needs on this machine: root without a sandbox, no GPU, and no calls home (the
    /// network is closed, and refused background connections only add noise and delay).</summary>
    private static readonly string[] ChromiumArgs =
    [
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ];

    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public IBrowser Browser => _browser ?? throw new InvalidOperationException("Chromium is not started.");

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            var where = Environment.GetEnvironmentVariable("CI") == "true" ? "CI" : "this machine";
            throw new InvalidOperationException(
                $"Debian's Chromium is missing at {ChromiumPath} on {where}: the demo page's browser tests need it. " +
                "Run tests/run.sh, which installs it (apt-get install chromium) before running the tests.");
        }

        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ChromiumArgs,
        });
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.CloseAsync();
        }

        _playwright?.Dispose();
    }
}
