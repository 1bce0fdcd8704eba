using LoadBench.Contracts;
using LoadBench.Engine.Scenarios;

namespace LoadBench.Engine.Tests.Transports.Protocols;

/// <summary>
/// What the target may have counted as written that the client never read: when the client closes an HTTP/2
/// connection first, Kestrel may still write its GOAWAY (9-byte frame header + last stream id 4 + error code 4 = 17
/// bytes; under TLS 1.3 in one record: + 5 record header + 1 content type + 16 AEAD tag = 39) into the pipe the target
/// counts, after the client stopped reading. A graceful close can write two (RFC 9113 §6.8: a first GOAWAY, then the
/// final one; seen 1 run in ~5 with three WebSockets on one h2c connection). Whether it does is a race, so the
/// comparison takes exactly one or two such frames or nothing — any other difference is a counting error.
/// </summary>
internal static class ClosingFrames
{
    public const int GoAway = 9 + 4 + 4;
    public const int Tls13RecordOverhead = 5 + 1 + 16;

    public static bool Explain(long unreadByClient, ConnectionSetup setup) =>
        unreadByClient == 0
        || (setup.Http == HttpVersions.Http2 && unreadByClient % (GoAway + (setup.Tls ? Tls13RecordOverhead : 0)) == 0
            && unreadByClient / (GoAway + (setup.Tls ? Tls13RecordOverhead : 0)) is 1 or 2);
}
