using LoadBench.Results;

namespace LoadBench.Engine.Running;

/// <summary>
/// Adds the fourth byte part under TLS: the handshake and record overhead, counted by the clients as socket bytes
/// minus the plaintext above TLS. The total then equals the socket bytes again. Plain setups keep <c>tls</c> null.
/// </summary>
internal static class TlsBytes
{
    public static BytesResult With(BytesResult bytes, long tls, bool tlsSetup)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        if (!tlsSetup)
        {
            return bytes;
        }

        var events = bytes.Events ?? 0;
        var total = bytes.Total + tls;
        return bytes with
        {
            Tls = tls,
            Total = total,
            PerEvent = bytes.PerEvent with { Tls = ResultFigures.Ratio(tls, events), Total = ResultFigures.Ratio(total, events) },
        };
    }
}
