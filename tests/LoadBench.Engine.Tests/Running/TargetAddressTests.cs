using LoadBench.Engine.Running;

namespace LoadBench.Engine.Tests.Running;

public sealed class TargetAddressTests
{
    [Theory]
    [InlineData("http://127.0.0.1:5000")]
    [InlineData("http://127.3.2.1:80/")]
    [InlineData("http://[::1]:5000")]
    [InlineData("http://localhost:5000")]
    [InlineData("http://LOCALHOST:5000")]
    public void Check_Loopback_IsAccepted(string url)
    {
        Assert.Equal(new Uri(url), TargetAddress.Check(url, allowNonLoopback: false));
    }

    [Theory]
    [InlineData("http://10.0.0.1:5000")]
    [InlineData("http://example.com")]
    [InlineData("http://localhost.example.com")]
    [InlineData("http://[::2]:5000")]
    public void Check_NotLoopback_IsRefusedUnlessAllowed(string url)
    {
        var ex = Assert.Throws<ArgumentException>(() => TargetAddress.Check(url, allowNonLoopback: false));
        Assert.Contains("only sends load to loopback", ex.Message, StringComparison.Ordinal);

        Assert.Equal(new Uri(url), TargetAddress.Check(url, allowNonLoopback: true));
    }

    [Theory]
    [InlineData("127.0.0.1:5000")]
    [InlineData("ftp://127.0.0.1")]
    public void Check_NotAnHttpUrl_IsRefused(string url)
    {
        Assert.Throws<ArgumentException>(() => TargetAddress.Check(url, allowNonLoopback: true));
    }
}
