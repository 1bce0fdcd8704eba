using System.Net;

namespace LoadBench.Engine.Running;

/// <summary>
/// LoadBench sends load only to loopback. A typo in <c>--target</c> must not turn a benchmark into traffic
/// against someone else's server, so any other host is refused unless the caller explicitly allows it.
/// The check is on the name as written: a host name other than <c>localhost</c> is refused without a DNS lookup.
/// </summary>
internal static class TargetAddress
{
    public static bool IsLoopback(Uri target)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (!target.IsAbsoluteUri)
        {
            return false;
        }

        var host = target.Host;
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        // Uri.Host keeps the brackets of an IPv6 literal.
        return IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address);
    }

    /// <summary>Parses and checks a target URL; throws <see cref="ArgumentException"/> with the reason.</summary>
    public static Uri Check(string url, bool allowNonLoopback)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (!Uri.TryCreate(url, UriKind.Absolute, out var target) || (target.Scheme != Uri.UriSchemeHttp && target.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"The target must be an absolute http:// URL such as http://127.0.0.1:5000, got '{url}'.", nameof(url));
        }

        if (!allowNonLoopback && !IsLoopback(target))
        {
            throw new ArgumentException(
                $"Refusing target '{url}': LoadBench only sends load to loopback (127.0.0.0/8, ::1, localhost). " +
                "Allow other hosts explicitly (allowNonLoopback) only for a machine you own.", nameof(url));
        }

        return target;
    }
}
