namespace LoadBench.Tests.Support;

/// <summary>
/// A real <c>nats-server</c> (Debian's package; tests/run.sh installs it) on a free loopback port, one per test, so
/// tests never see each other's agents. Missing, it fails the test with what to install — never a silent skip.
/// </summary>
public sealed class NatsServer : IAsyncDisposable
{
    private readonly ExternalTool _tool;

    private NatsServer(ExternalTool tool, int port)
    {
        _tool = tool;
        Url = $"nats://127.0.0.1:{port}";
        Port = port;
    }

    public string Url { get; }

    public int Port { get; }

    public string Output => _tool.Output;

    public static async Task<NatsServer> StartAsync()
    {
        var port = ExternalTool.FreePort();
        var tool = ExternalTool.Start("nats-server", "-a", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        try
        {
            await tool.WaitForPortAsync(port);
        }
        catch
        {
            await tool.DisposeAsync();
            throw;
        }

        return new NatsServer(tool, port);
    }

    /// <summary>SIGKILL, as when the NATS machine dies; <see cref="DisposeAsync"/> still cleans up.</summary>
    public void Kill() => _tool.Kill();

    public ValueTask DisposeAsync() => _tool.DisposeAsync();
}
