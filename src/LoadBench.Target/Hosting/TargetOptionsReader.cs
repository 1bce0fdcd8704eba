using System.Globalization;
using LoadBench.Contracts;

namespace LoadBench.Target.Hosting;

/// <summary>Reads <see cref="TargetOptions"/> from configuration (command line <c>--rate 10</c>, environment, …).</summary>
internal static class TargetOptionsReader
{
    private const int MaxTokenLength = 1024;

    public static TargetOptions Read(IConfiguration configuration)
    {
        var options = new TargetOptions();
        options.RatePerSecond = ReadDouble(configuration, "rate", options.RatePerSecond, 0, FeedSettings.MaxRatePerSecond);
        options.PayloadBytes = ReadInt(configuration, "payload-bytes", options.PayloadBytes, 0, FeedSettings.MaxPayloadBytes);
        options.Retention = ReadInt(configuration, "retention", options.Retention, 1, 10_000_000);
        options.DeliveryDelayMs = ReadInt(configuration, "delivery-delay-ms", options.DeliveryDelayMs, 0, FeedSettings.MaxDeliveryDelayMs);
        options.SlowConsumerMaxLagEvents = ReadInt(configuration, "slow-consumer-max-lag-events", options.SlowConsumerMaxLagEvents, 0, 10_000_000);
        options.SlowConsumerMaxLagSeconds = ReadDouble(configuration, "slow-consumer-max-lag-seconds", options.SlowConsumerMaxLagSeconds, 0, 3600);
        if (configuration["max-connections"] is not null)
        {
            options.MaxConnections = ReadInt(configuration, "max-connections", 0, 1, 1_000_000);
        }

        options.Compression = configuration["compression"] switch
        {
            null or "off" => false,
            "on" => true,
            var other => throw new TargetConfigurationException($"--compression must be on or off, got '{other}'."),
        };
        options.ControlToken = ReadToken(configuration);
        options.PublishToUrl = ReadNatsUrl(configuration, "publish-to");
        options.FollowUrl = ReadNatsUrl(configuration, "follow");
        options.H2cUrl = ReadListenUrl(configuration, "h2c-url", Uri.UriSchemeHttp);
        options.HttpsUrl = ReadListenUrl(configuration, "https-url", Uri.UriSchemeHttps);
        if (options.PublishToUrl is not null && options.FollowUrl is not null)
        {
            throw new TargetConfigurationException("--publish-to and --follow exclude each other: a target either publishes the feed or follows it.");
        }

        return options;
    }

    /// <summary>A token travels in a header: visible ASCII only, so it cannot be cut short or split a header.</summary>
    private static string? ReadToken(IConfiguration configuration)
    {
        var raw = configuration["control-token"];
        if (raw is null)
        {
            return null;
        }

        if (raw.Length is 0 or > MaxTokenLength || raw.Any(c => c is < '!' or > '~'))
        {
            throw new TargetConfigurationException($"--control-token must be 1 to {MaxTokenLength} visible ASCII characters (no spaces); a long random one, e.g. from 'openssl rand -hex 16'.");
        }

        return raw;
    }

    /// <summary>An extra endpoint's address: one URL of the given scheme with a port (0: any free one).</summary>
    private static string? ReadListenUrl(IConfiguration configuration, string key, string scheme)
    {
        var raw = configuration[key];
        if (raw is null)
        {
            return null;
        }

        if (!Uri.TryCreate(raw, UriKind.Absolute, out var uri) || uri.Scheme != scheme || uri.IsDefaultPort && !raw.Contains(":" + uri.Port, StringComparison.Ordinal))
        {
            throw new TargetConfigurationException($"--{key} must be one {scheme}:// URL with a port, e.g. {scheme}://127.0.0.1:0; got '{raw}'.");
        }

        return raw;
    }

    private static Uri? ReadNatsUrl(IConfiguration configuration, string key)
    {
        var raw = configuration[key];
        if (raw is null)
        {
            return null;
        }

        if (!Uri.TryCreate(raw, UriKind.Absolute, out var url) || url.Scheme != "nats" || string.IsNullOrEmpty(url.Host))
        {
            throw new TargetConfigurationException($"--{key} must be a NATS server URL like nats://127.0.0.1:4222, got '{raw}'.");
        }

        return url;
    }

    private static double ReadDouble(IConfiguration configuration, string key, double fallback, double min, double max)
    {
        var raw = configuration[key];
        if (raw is null)
        {
            return fallback;
        }

        if (!double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value) || value < min || value > max)
        {
            throw new TargetConfigurationException($"--{key} must be a number from {min} to {max}, got '{raw}'.");
        }

        return value;
    }

    private static int ReadInt(IConfiguration configuration, string key, int fallback, int min, int max)
    {
        var raw = configuration[key];
        if (raw is null)
        {
            return fallback;
        }

        if (!int.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            throw new TargetConfigurationException($"--{key} must be a whole number from {min} to {max}, got '{raw}'.");
        }

        return value;
    }
}
