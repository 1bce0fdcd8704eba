using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using LoadBench.Engine.Transports.Connections;

namespace LoadBench.Engine.Tests.Transports.Connections;

public sealed class ConnectionPolicyTests
{
    [Fact]
    public async Task ConnectSocket_WithSourceAddresses_SpreadsConnectionsOverThem_AsTheServerSees()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var policy = new ConnectionPolicy(sourceAddresses: [IPAddress.Parse("127.0.0.2"), IPAddress.Parse("127.0.0.3")]);

        var seen = new List<IPAddress>();
        var sockets = new List<Socket>();
        try
        {
            for (var i = 0; i < 4; i++)
            {
                sockets.Add(await LoopbackConnector.ConnectSocketAsync("127.0.0.1", port, policy, CancellationToken.None));
                using var accepted = await listener.AcceptSocketAsync();
                // The server's view is the independent truth: which address the connection really came from.
                seen.Add(((IPEndPoint)accepted.RemoteEndPoint!).Address);
            }
        }
        finally
        {
            sockets.ForEach(s => s.Dispose());
        }

        Assert.Equal(["127.0.0.2", "127.0.0.3", "127.0.0.2", "127.0.0.3"], seen.Select(a => a.ToString()));
    }

    [Fact]
    public async Task ConnectSocket_NonLoopbackHost_RefusedByDefault_ConnectsWhenExplicitlyAllowed()
    {
        // A real non-loopback path on this machine: its own interface address (not 127.0.0.0/8).
        var address = NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus == OperationalStatus.Up && n.NetworkInterfaceType != NetworkInterfaceType.Loopback)
            .SelectMany(n => n.GetIPProperties().UnicastAddresses)
            .Select(u => u.Address)
            .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a));
        Assert.True(address is not null, "this test needs one non-loopback IPv4 address on the machine");
        using var listener = new TcpListener(address, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;

        await Assert.ThrowsAsync<NonLoopbackTargetException>(async () =>
            await LoopbackConnector.ConnectSocketAsync(address.ToString(), port, ConnectionPolicy.LoopbackOnly, CancellationToken.None));

        using var socket = await LoopbackConnector.ConnectSocketAsync(address.ToString(), port, new ConnectionPolicy(allowNonLoopback: true), CancellationToken.None);
        using var accepted = await listener.AcceptSocketAsync();
        Assert.Equal(address, ((IPEndPoint)accepted.LocalEndPoint!).Address);
    }

    [Fact]
    public async Task FeedClientFactory_NonLoopbackTarget_AcceptedOnlyWithTheFlag()
    {
        var recorders = new LoadBench.Engine.Metrics.LatencyRecorders();
        var options = new LoadBench.Engine.Transports.FeedClientOptions(new Uri("http://192.0.2.10:5080/"), "sse", recorders);

        Assert.Throws<ArgumentException>(() => LoadBench.Engine.Transports.FeedClientFactory.Create(options));
        await using var client = LoadBench.Engine.Transports.FeedClientFactory.Create(options with { Connections = new ConnectionPolicy(allowNonLoopback: true) });
        Assert.NotNull(client);
    }
}
