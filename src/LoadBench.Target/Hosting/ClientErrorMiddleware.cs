namespace LoadBench.Target.Hosting;

/// <summary>
/// Turns what Kestrel says about a request's body into problem+json instead of a 500: a declared
/// <c>Content-Length</c> over <see cref="SafeLimits.MaxRequestBodyBytes"/> is refused with 413 before any route
/// runs (whatever the route, so no handler ever starts reading it), and a body that grows past the limit while
/// read (chunked), arrives too slowly (408) or is malformed answers with Kestrel's own status. Client mistakes
/// are logged at debug level (a hostile client cannot flood the console).
/// </summary>
internal sealed class ClientErrorMiddleware(RequestDelegate next, TargetOptions options, ILogger<ClientErrorMiddleware> logger)
{
    public Task InvokeAsync(HttpContext context)
    {
        var limit = options.Limits.MaxRequestBodyBytes;
        if (context.Request.ContentLength > limit)
        {
            return RefuseAsync(context, StatusCodes.Status413PayloadTooLarge, "Request body too large",
                $"The body declares {context.Request.ContentLength} bytes; this target accepts at most {limit} on any route.");
        }

        Task request;
        try
        {
            request = next(context);
        }
        catch (BadHttpRequestException e)
        {
            request = Task.FromException(e);
        }

        // A request still running with its response started (a feed stream) can no longer be answered with a
        // problem: awaiting it would only keep this method's state alive for the stream's whole life.
        return !request.IsCompleted && context.Response.HasStarted ? request : AnswerBadBodyAsync(context, request, limit);
    }

    private async Task AnswerBadBodyAsync(HttpContext context, Task request, long limit)
    {
        try
        {
            await request;
        }
        catch (BadHttpRequestException e) when (!context.Response.HasStarted)
        {
            var detail = e.StatusCode == StatusCodes.Status413PayloadTooLarge
                ? $"The body grew past {limit} bytes, the most this target accepts on any route."
                : e.Message;
            await RefuseAsync(context, e.StatusCode, "Bad request body", detail);
        }
    }

    private Task RefuseAsync(HttpContext context, int status, string title, string detail)
    {
        // Debug, not Information: a hostile client must not be able to flood the console.
        logger.LogDebug("Refused {Method} {Path}: {Status} {Detail}", context.Request.Method, context.Request.Path, status, detail);
        // The rest of the body is not read: the connection cannot carry another request, so say it closes.
        context.Response.Clear();
        context.Response.Headers.Connection = "close";
        return TypedResults.Problem(title: title, detail: detail, statusCode: status).ExecuteAsync(context);
    }
}
