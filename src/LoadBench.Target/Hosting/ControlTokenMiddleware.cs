using System.Security.Cryptography;
using System.Text;
using LoadBench.Contracts;

namespace LoadBench.Target.Hosting;

/// <summary>
/// With <c>--control-token</c>, every control route — <c>/feed/settings</c>, <c>/feed/faults</c>,
/// <c>/feed/drop-connections</c> (any method) and <c>/stats</c> with <c>gc</c> — needs
/// <c>Authorization: Bearer TOKEN</c> and answers 401 problem+json without it. The feed routes, <c>/feed/info</c>
/// and plain <c>/stats</c> stay open: a load test reads them, and they change nothing.
/// <para>
/// Keyed on the path (as routing matches it: any case, trailing slash or not) and, after routing, on the matched
/// route's pattern, so a control route mapped anywhere later is covered without knowing this class.
/// </para>
/// </summary>
internal sealed class ControlTokenMiddleware(RequestDelegate next, TargetOptions options, ILogger<ControlTokenMiddleware> logger)
{
    private static readonly string[] ControlPaths = [FeedRoutes.Settings, FeedRoutes.Faults, FeedRoutes.DropConnections];

    /// <summary>The token's SHA-256: comparing two fixed-length hashes in constant time leaks neither the token's
    /// bytes nor its length through timing.</summary>
    private readonly byte[]? _tokenHash = options.ControlToken is { } token ? Hash(token) : null;

    public Task InvokeAsync(HttpContext context)
    {
        if (_tokenHash is null || !IsControlRequest(context) || Authorized(context.Request.Headers.Authorization.ToString()))
        {
            return next(context);
        }

        // Debug, not Information: a hostile client must not be able to flood the console.
        logger.LogDebug("Refused {Method} {Path}: no valid control token", context.Request.Method, context.Request.Path);
        context.Response.Headers.WWWAuthenticate = ControlToken.Scheme;
        return TypedResults.Problem(
            title: "Control token required",
            detail: $"This target was started with --control-token: {context.Request.Path} needs 'Authorization: {ControlToken.Scheme} <token>'. Feed routes, {FeedRoutes.Info} and {FeedRoutes.Stats} without gc need none.",
            statusCode: StatusCodes.Status401Unauthorized).ExecuteAsync(context);
    }

    internal static bool IsControlRequest(HttpContext context)
    {
        var pattern = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText;
        var path = context.Request.Path.Value ?? "";
        if (IsControlPath(path) || (pattern is not null && IsControlPath(pattern)))
        {
            return true;
        }

        // Only the collection changes anything (it pauses the target); /stats?gc=false reads like /stats.
        return IsPath(path, FeedRoutes.Stats) && context.Request.Query.TryGetValue("gc", out var gc) && gc.Any(value => value != "false");
    }

    private static bool IsControlPath(string path) => ControlPaths.Any(control => IsPath(path, control));

    private static bool IsPath(string path, string route) =>
        path.TrimEnd('/').Equals(route, StringComparison.OrdinalIgnoreCase);

    private bool Authorized(string authorization)
    {
        var prefix = ControlToken.Scheme + " ";
        if (!authorization.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(Hash(authorization[prefix.Length..].Trim()), _tokenHash);
    }

    private static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));
}
