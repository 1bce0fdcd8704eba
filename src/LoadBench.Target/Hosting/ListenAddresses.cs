using System.Net;

namespace LoadBench.Target.Hosting;

/// <summary>
/// <c>serve</c> refuses to listen beyond loopback without a control token: anyone who can reach the port could
/// otherwise change the rate, drop every connection or pause the target with a collection.
/// </summary>
internal static class ListenAddresses
{
    /// <summary>Checks <c>--urls</c> before anything binds, so the message names what was asked for.</summary>
    /// <exception cref="TargetConfigurationException">A URL is not loopback and there is no token.</exception>
    public static void RequireLoopbackOrToken(string urls, string? controlToken)
    {
        if (controlToken is not null)
        {
            return;
        }

        foreach (var url in urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            BindingAddress address;
            try
            {
                address = BindingAddress.Parse(url);
            }
            catch (FormatException)
            {
                throw new TargetConfigurationException($"--urls: '{url}' is not a URL like {TargetOptions.DefaultUrl}.");
            }

            if (!address.IsUnixPipe && !IsLoopbackHost(address.Host))
            {
                throw NotLoopback($"--urls {url}");
            }
        }
    }

    /// <summary>The same rule for each endpoint Kestrel binds, however it was configured (urls, ports, config).</summary>
    public static void RequireLoopbackOrToken(IPEndPoint? endpoint, string? controlToken)
    {
        if (controlToken is null && endpoint is not null && !IPAddress.IsLoopback(endpoint.Address))
        {
            throw NotLoopback($"the endpoint {endpoint}");
        }
    }

    private static bool IsLoopbackHost(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));

    private static TargetConfigurationException NotLoopback(string where) => new(
        $"{where} listens beyond loopback: give --control-token TOKEN as well, so that only who knows it can change or drop the feed (and do not expose the control routes through a proxy).");
}
