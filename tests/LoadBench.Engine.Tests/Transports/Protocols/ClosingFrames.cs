using LoadBench.Contracts;
using LoadBench.Engine.Scenarios;

namespace LoadBench.Engine.Tests.Transports.Protocols;

/// <summary>
/// What the target may have counted as written that the client never read: when the client closes an HTTP/2
/// connection first, Kestrel may still write its GOAWAY (9-byte frame header + last stream id 4 + error code 4 = 17
/// bytes; under TLS 1.3 in one record: + 5 record header + 1 content type + 16 AEAD tag = 39) into the pipe the target
/// counts, after the client stopped reading. A graceful close can write two (RFC 9113 §6.8: a first GOAWAY, then the
/// final one; seen 1 run in ~5 with three WebSockets on one h2c connection). A stream the server ends while the client
/// is closing can also leave an RST_STREAM (9 + error code 4 = 13 bytes; 35 in its own TLS record) behind: seen once in
/// CI (2026-12-01), 74 = 39 + 35 unread over h2+tls. Whether any of them is written is a race, so the comparison takes
/// exactly one or two such GOAWAYs and at most one such RST_STREAM, or nothing — any other difference is a counting error.
/// </summary>
internal static class ClosingFrames
{
    public const int GoAway = 9 + 4 + 4;
    public const int RstStream = 9 + 4;
    public const int Tls13RecordOverhead = 5 + 1 + 16;

    public static bool Explain(long unreadByClient, ConnectionSetup setup)
    {
        if (unreadByClient == 0)
        {
            return true;
        }

        if (setup.Http != HttpVersions.Http2)
        {
            return false;
        }

        var record = setup.Tls ? Tls13RecordOverhead : 0;
        for (var goAways = 0; goAways <= 2; goAways++)
        {
            for (var resets = 0; resets <= 1; resets++)
            {
                if (goAways + resets > 0 && unreadByClient == (goAways * (GoAway + record)) + (resets * (RstStream + record)))
                {
                    return true;
                }
            }
        }

        return false;
    }
}
