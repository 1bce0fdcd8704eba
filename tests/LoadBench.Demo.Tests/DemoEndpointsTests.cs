using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using LoadBench.Demo.Tests.TestSupport;

namespace LoadBench.Demo.Tests;

/// <summary><c>GET /demo</c> and its files, over HTTP against the real target (no browser).</summary>
public sealed partial class DemoEndpointsTests : IAsyncLifetime
{
    private static readonly Dictionary<string, string> ExpectedTypes = new()
    {
        ["index.html"] = "text/html; charset=utf-8",
        ["demo.js"] = "text/javascript; charset=utf-8",
        ["demo.css"] = "text/css; charset=utf-8",
    };

    private RunningTarget _target = null!;

    public async Task InitializeAsync() => _target = await RunningTarget.StartAsync();

    public async Task DisposeAsync() => await _target.DisposeAsync();

    [Theory]
    [InlineData("/demo")]
    [InlineData("/demo/")]
    [InlineData("/demo/index.html")]
    public async Task Get_DemoPage_ServesTheEmbeddedHtml(string path)
    {
        using var response = await _target.Http.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(ExpectedTypes["index.html"], response.Content.Headers.ContentType!.ToString());
        Assert.Equal(SourceBytes("index.html"), await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Get_EveryPageFile_ServedByteForByteWithItsContentType()
    {
        var sourceFiles = Directory.GetFiles(PageSourceDirectory()).Select(Path.GetFileName).Order().ToList();
        Assert.Equal(ExpectedTypes.Keys.Order(), sourceFiles);
        foreach (var file in sourceFiles)
        {
            using var response = await _target.Http.GetAsync($"/demo/{file}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(ExpectedTypes[file!], response.Content.Headers.ContentType!.ToString());
            Assert.Equal(SourceBytes(file!), await response.Content.ReadAsByteArrayAsync());
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        }
    }

    [Fact]
    public async Task Get_PageAgainWithItsETag_Returns304WithoutBody()
    {
        using var first = await _target.Http.GetAsync("/demo");
        var etag = first.Headers.ETag;
        Assert.NotNull(etag);

        using var request = new HttpRequestMessage(HttpMethod.Get, "/demo");
        request.Headers.IfNoneMatch.Add(etag);
        using var second = await _target.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotModified, second.StatusCode);
        Assert.Empty(await second.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData("/demo/missing.js")]
    [InlineData("/demo/..%2FTargetApp.cs")]
    public async Task Get_UnknownDemoFile_Returns404Problem(string path)
    {
        using var response = await _target.Http.GetAsync(path);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        Assert.Contains("demo.js", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_DemoPage_LoadsNothingFromOutsideTheTarget()
    {
        using var response = await _target.Http.GetAsync("/demo");
        var html = await response.Content.ReadAsStringAsync();

        // Every src/href is one of the page's own files or an inline data: URL — no CDN, works offline.
        var references = SourceOrHref().Matches(html).Select(m => m.Groups["url"].Value).ToList();
        Assert.NotEmpty(references);
        Assert.All(references, url => Assert.True(url.StartsWith("/demo/", StringComparison.Ordinal) || url.StartsWith("data:", StringComparison.Ordinal), url));
        foreach (var file in new[] { "demo.js", "demo.css" })
        {
            var text = File.ReadAllText(Path.Combine(PageSourceDirectory(), file));
            Assert.DoesNotMatch(AbsoluteUrl(), text);
            Assert.DoesNotContain("@import", text, StringComparison.Ordinal);
        }

        // And the browser is told so: a stray external reference fails in class rehearsal, not only offline.
        var policy = response.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("default-src 'self'", policy, StringComparison.Ordinal);
        Assert.Contains("connect-src 'self'", policy, StringComparison.Ordinal);
    }

    private static byte[] SourceBytes(string file) => File.ReadAllBytes(Path.Combine(PageSourceDirectory(), file));

    private static string PageSourceDirectory()
    {
        var root = Artifacts.RepositoryRoot() ?? throw new InvalidOperationException("Run from the repository: LoadBench.sln was not found above the test binaries.");
        return Path.Combine(root, "src", "LoadBench.Target", "Demo", "Page");
    }

    [GeneratedRegex(""""\b(?:src|href)\s*=\s*"(?<url>[^"]*)"""", RegexOptions.IgnoreCase)]
    private static partial Regex SourceOrHref();

    [GeneratedRegex("""(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}""", RegexOptions.IgnoreCase)]
    private static partial Regex AbsoluteUrl();
}
