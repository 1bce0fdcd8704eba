using LoadBench.Contracts;
using LoadBench.Engine.Scenarios;

namespace LoadBench.Engine.Tests.Transports.Protocols;

/// <summary>The byte comparisons' one allowance (<see cref="ClosingFrames"/>): only whole closing frames, each in its own
/// TLS record under TLS, and only over HTTP/2.</summary>
public sealed class ClosingFramesTests
{
    [Theory]
    [InlineData(0, "1.1", false, true)]
    [InlineData(17, "2", false, true)]        // one GOAWAY
    [InlineData(34, "2", false, true)]        // two
    [InlineData(30, "2", false, true)]        // GOAWAY + RST_STREAM
    [InlineData(13, "2", false, true)]        // a lone RST_STREAM (the GOAWAY read by the client)
    [InlineData(35, "2", true, true)]         // the same in a TLS 1.3 record
    [InlineData(39, "2", true, true)]         // one GOAWAY in a TLS 1.3 record
    [InlineData(74, "2", true, true)]         // GOAWAY + RST_STREAM, each in a record (CI, 2026-12-01)
    [InlineData(113, "2", true, true)]        // two GOAWAYs + RST_STREAM
    [InlineData(17, "1.1", false, false)]     // HTTP/1.1 has no closing frames
    [InlineData(73, "2", true, false)]
    [InlineData(26, "2", false, false)]       // two RST_STREAMs: not a close
    [InlineData(51, "2", false, false)]       // three GOAWAYs
    public void Explain_OnlyWholeClosingFrames(long unread, string http, bool tls, bool expected) =>
        Assert.Equal(expected, ClosingFrames.Explain(unread, new ConnectionSetup { Http = http, Tls = tls }));
}
