using LoadBench.Target.Hosting;
using Microsoft.AspNetCore.Builder;

namespace LoadBench.Target.Tests.Hosting;

public sealed class TargetAppTests
{
    [Theory]
    [InlineData("--rate", "fast")]
    [InlineData("--rate", "-1")]
    [InlineData("--payload-bytes", "2000000")]
    [InlineData("--retention", "0")]
    [InlineData("--max-connections", "0")]
    [InlineData("--slow-consumer-max-lag-events", "-1")]
    [InlineData("--slow-consumer-max-lag-seconds", "soon")]
    [InlineData("--slow-consumer-max-lag-seconds", "3601")]
    public void Build_BadOption_ThrowsNamingTheOption(string option, string value)
    {
        var error = Assert.Throws<TargetConfigurationException>(() => TargetApp.Build([option, value]));
        Assert.Contains(option, error.Message, StringComparison.Ordinal);
        Assert.Contains(value, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Build_WithoutUrls_ListensOnLoopbackOnly()
    {
        await using var app = TargetApp.Build([]);
        Assert.Equal(TargetOptions.DefaultUrl, app.Configuration[Microsoft.AspNetCore.Hosting.WebHostDefaults.ServerUrlsKey]);
        Assert.StartsWith("http://127.0.0.1:", TargetOptions.DefaultUrl, StringComparison.Ordinal);
    }
}
