using System.Net;

namespace LoadBench.Engine.Transports.Connections;

/// <summary>
/// Where a client may connect and from which local address. The default is loopback only, the kernel's choice of
/// source address. <see cref="AllowNonLoopback"/> is set only from an explicit flag (<c>--allow-non-loopback</c>): a load
/// agent on another host reaches the target over a real network. <see cref="SourceAddresses"/> spreads connections
/// over several local addresses (bound before connect), because one source address has only ~28,000 ephemeral ports
/// towards one destination; on loopback any 127.0.0.0/8 address works without configuring anything.
/// </summary>
internal sealed class ConnectionPolicy
{
    private int _next = -1;

    public ConnectionPolicy(bool allowNonLoopback = false, IReadOnlyList<IPAddress>? sourceAddresses = null)
    {
        AllowNonLoopback = allowNonLoopback;
        SourceAddresses = sourceAddresses ?? [];
    }

    /// <summary>Loopback targets only, no source binding: what every client did before agents existed.</summary>
    public static ConnectionPolicy LoopbackOnly { get; } = new();

    public bool AllowNonLoopback { get; }

    public IReadOnlyList<IPAddress> SourceAddresses { get; }

    /// <summary>The source address of the next connection of <paramref name="family"/>, round robin; null leaves
    /// the choice to the kernel (no addresses given, or none of that family).</summary>
    public IPAddress? NextSource(System.Net.Sockets.AddressFamily family)
    {
        if (SourceAddresses.Count == 0)
        {
            return null;
        }

        for (var tries = 0; tries < SourceAddresses.Count; tries++)
        {
            var index = (int)((uint)Interlocked.Increment(ref _next) % (uint)SourceAddresses.Count);
            if (SourceAddresses[index].AddressFamily == family)
            {
                return SourceAddresses[index];
            }
        }

        return null;
    }
}
