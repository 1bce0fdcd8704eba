using System.Diagnostics;
using LoadBench.Engine.Proxy;

namespace LoadBench.Engine.Tests.Proxy;

/// <summary>The engine's built-in copies of deploy/nginx/ render as render.sh renders them, and each pitfall differs
/// from the push-ready configuration only where it says.</summary>
public sealed class NginxConfigurationsTests
{
    private static readonly string Deploy = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../../deploy/nginx"));

    [Fact]
    public void Names_AreTheTemplatesOfDeployNginx()
    {
        var files = Directory.GetFiles(Deploy, "*.conf.template").Select(f => Path.GetFileName(f)[..^".conf.template".Length]).Order(StringComparer.Ordinal);
        Assert.Equal(files, NginxConfigurations.Names);
        Assert.Contains("sse-buffering-on", NginxConfigurations.Names);
        Assert.Contains("idle-timeout-short", NginxConfigurations.Names);
        Assert.Contains("idle-timeout-long", NginxConfigurations.Names);
    }

    [Theory]
    [InlineData("loadbench")]
    [InlineData("sse-buffering-on")]
    [InlineData("idle-timeout-short")]
    [InlineData("idle-timeout-long")]
    public async Task Render_IsWhatRenderShWrites(string name)
    {
        var prefix = Directory.CreateTempSubdirectory("loadbench-render-").FullName;
        try
        {
            using var script = Process.Start(new ProcessStartInfo("bash",
                [Path.Combine(Deploy, "render.sh"), "--listen", "127.0.0.1:18080", "--prefix", prefix, "--upstream", "127.0.0.1:5081", "--upstream", "127.0.0.1:5082", "--workers", "2", "--config", name])
            { RedirectStandardOutput = true })!;
            await script.WaitForExitAsync();
            Assert.Equal(0, script.ExitCode);
            Assert.Equal(await File.ReadAllTextAsync(Path.Combine(prefix, "nginx.conf")),
                NginxConfigurations.Render(name, "127.0.0.1:18080", prefix, ["127.0.0.1:5081", "127.0.0.1:5082"], 2));
        }
        finally
        {
            Directory.Delete(prefix, recursive: true);
        }
    }

    [Theory]
    [InlineData("loadbench", true, true)]
    [InlineData("loadbench", false, true)]
    [InlineData("sse-buffering-on", true, false)]
    public async Task Render_ClientLeg_IsWhatRenderShWrites_AndNginxAcceptsIt(string name, bool tls, bool http2)
    {
        var prefix = Directory.CreateTempSubdirectory("loadbench-render-").FullName;
        try
        {
            var certificate = tls ? NginxCertificate.Write(prefix, TimeProvider.System) : null;
            string[] legArguments = [.. certificate is null ? [] : new[] { "--ssl-certificate", certificate.CertificateFile, "--ssl-certificate-key", certificate.KeyFile },
                .. http2 ? new[] { "--http2" } : []];
            using var script = Process.Start(new ProcessStartInfo("bash",
                [Path.Combine(Deploy, "render.sh"), "--listen", "127.0.0.1:18080", "--prefix", prefix, "--upstream", "127.0.0.1:5081", "--workers", "1", "--config", name, .. legArguments])
            { RedirectStandardOutput = true })!;
            await script.WaitForExitAsync();
            Assert.Equal(0, script.ExitCode);
            var rendered = NginxConfigurations.Render(name, "127.0.0.1:18080", prefix, ["127.0.0.1:5081"], 1, certificate, http2);
            Assert.Equal(await File.ReadAllTextAsync(Path.Combine(prefix, "nginx.conf")), rendered);
            Assert.Contains($"listen 127.0.0.1:18080{(tls ? " ssl" : "")}{(http2 ? " http2" : "")} reuseport", rendered, StringComparison.Ordinal);
            Assert.Equal(http2, rendered.Contains("http2_max_concurrent_streams 1000;", StringComparison.Ordinal));
            // Every placeholder filled (comments name them; directives must not).
            Assert.DoesNotContain(rendered.Split('\n'), l => !l.TrimStart().StartsWith('#') && l.Contains('@', StringComparison.Ordinal));

            // nginx 1.22 itself reads it (-t: test the configuration, certificate and key included, then exit).
            using var check = Process.Start(new ProcessStartInfo(NginxProxy.FindExecutable(), ["-t", "-q", "-p", prefix + "/", "-c", Path.Combine(prefix, "nginx.conf"), "-e", Path.Combine(prefix, "error.log")])
            { RedirectStandardError = true })!;
            var errors = await check.StandardError.ReadToEndAsync();
            await check.WaitForExitAsync();
            Assert.True(check.ExitCode == 0, errors);
        }
        finally
        {
            Directory.Delete(prefix, recursive: true);
        }
    }

    [Theory]
    [InlineData("sse-buffering-on", "proxy_buffering on;", "proxy_http_version 1.0;")]
    [InlineData("idle-timeout-short", "proxy_read_timeout 3s;", "proxy_send_timeout 3s;")]
    [InlineData("idle-timeout-long", "proxy_read_timeout 30s;", "proxy_send_timeout 30s;")]
    public void Pitfalls_DifferFromThePushReadyConfiguration_OnlyInTheirDirectives(string name, string first, string second)
    {
        static string[] Directives(string text) => [.. text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#'))];
        var push = Directives(NginxConfigurations.Template(NginxConfigurations.PushReady));
        var variant = Directives(NginxConfigurations.Template(name));
        Assert.Equal(new[] { first, second }.Order(StringComparer.Ordinal), variant.Except(push).Order(StringComparer.Ordinal));
        Assert.Equal(push.Length, variant.Length);
    }
}
