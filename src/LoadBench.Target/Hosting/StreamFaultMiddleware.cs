using Microsoft.AspNetCore.Diagnostics;

namespace LoadBench.Target.Hosting;

/// <summary>
/// What the exception handler does for a feed stream (<see cref="FeedStreamRequests"/>), without holding anything
/// while the stream runs. A stream's handler starts its response (the SSE head, the WebSocket's 101) before it first
/// waits for anything: a failure before that is already in the task it returns — answered here as the exception
/// handler answers it, 500 <c>application/problem+json</c> through the same <see cref="IProblemDetailsService"/>.
/// Once a stream runs, its response has started and the exception handler could only log and rethrow, which
/// Kestrel does by itself; awaiting the stream to find that out would keep the handler's state (about 150 bytes)
/// alive for every subscriber's whole life.
/// </summary>
internal sealed partial class StreamFaultMiddleware(RequestDelegate next, IProblemDetailsService problems, ILogger<StreamFaultMiddleware> logger)
{
    public Task InvokeAsync(HttpContext context)
    {
        Task stream;
        try
        {
            stream = next(context);
        }
        catch (Exception e)
        {
            stream = Task.FromException(e);
        }

        return stream.IsFaulted && !context.Response.HasStarted ? AnswerAsync(context, stream.Exception!.InnerException!) : stream;
    }

    private async Task AnswerAsync(HttpContext context, Exception error)
    {
        LogFailed(logger, error, context.Request.Method, context.Request.Path);
        context.Response.Clear();
        context.Response.StatusCode = StatusCodes.Status500InternalServerError;
        context.Features.Set<IExceptionHandlerFeature>(new ExceptionHandlerFeature { Error = error, Path = context.Request.Path });
        await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = { Status = StatusCodes.Status500InternalServerError } });
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Feed stream {Method} {Path} failed before its response started")]
    private static partial void LogFailed(ILogger logger, Exception error, string method, PathString path);
}
