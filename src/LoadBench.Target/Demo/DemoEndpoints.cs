using LoadBench.Contracts;

namespace LoadBench.Target.Demo;

/// <summary>
/// <c>GET /demo</c>: the teaching page (four live panels, one per transport) and <c>GET /demo/{file}</c>: its
/// script and style sheet. Everything is served from the target itself: no CDN, works offline.
/// </summary>
public static class DemoEndpoints
{
    public const string Route = "/demo";

    private const string IndexFile = "index.html";

    /// <summary>
    /// The page may talk to this target only, and load nothing from anywhere else: a stray external reference
    /// fails in the browser instead of working in the classroom until the network is gone. ('self' covers
    /// ws:// to the same host in CSP level 3.)
    /// </summary>
    private const string ContentSecurityPolicy =
        "default-src 'self'; connect-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    public static RouteGroupBuilder MapDemo(this IEndpointRouteBuilder routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        var assets = new DemoAssets();
        if (!assets.TryGet(IndexFile, out _))
        {
            throw new InvalidOperationException($"The demo page is not embedded in the target ({DemoAssets.ResourcePrefix}{IndexFile} is missing): check the EmbeddedResource item of LoadBench.Target.csproj.");
        }

        var group = routes.MapGroup(Route);
        group.MapGet("/", (HttpContext context) => Serve(assets, IndexFile, context));
        group.MapGet("/{file}", (string file, HttpContext context) => Serve(assets, file, context));
        return group;
    }

    private static IResult Serve(DemoAssets assets, string file, HttpContext context)
    {
        if (!assets.TryGet(file, out var asset))
        {
            return TypedResults.Problem(
                title: "No such demo file",
                detail: $"The demo page is at {Route}; '{file}' is not one of its files ({string.Join(", ", assets.Names.Order(StringComparer.Ordinal))}).",
                statusCode: StatusCodes.Status404NotFound);
        }

        var headers = context.Response.Headers;
        // no-cache = revalidate every time (a 304 thanks to the ETag): after an upgrade the class gets the new page.
        headers.CacheControl = "no-cache";
        headers.XContentTypeOptions = "nosniff";
        if (file == IndexFile)
        {
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
            headers["Referrer-Policy"] = "no-referrer";
        }

        return TypedResults.Bytes(asset!.Content, asset.ContentType, entityTag: asset.ETag);
    }
}
