using System.Text.Json;
using LoadBench.Target.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace LoadBench.Target.Tests.Hosting;

/// <summary>The client-error middleware answers body errors with problem+json and, for a request that already
/// started its response and is still running (a feed stream), hands back the request's own task instead of keeping
/// an awaiting state machine for the stream's whole life. The whole-target answers are the Hostile catalogue's.</summary>
public sealed class ClientErrorMiddlewareTests
{
    [Fact]
    public void RunningRequestWithItsResponseStarted_IsHandedBackUntouched()
    {
        var running = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var context = Context();
        var middleware = new ClientErrorMiddleware(ctx =>
        {
            ctx.Features.Set<IHttpResponseFeature>(new StartedResponse());
            return running.Task;
        }, new TargetOptions(), NullLogger<ClientErrorMiddleware>.Instance);

        Assert.Same(running.Task, middleware.InvokeAsync(context));
        running.SetResult();
    }

    [Fact]
    public async Task RunningRequestNotStarted_ThatFailsReadingItsBody_Gets413ProblemJson()
    {
        var reading = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var context = Context();
        var middleware = new ClientErrorMiddleware(_ => reading.Task, new TargetOptions(), NullLogger<ClientErrorMiddleware>.Instance);

        var answered = middleware.InvokeAsync(context);
        Assert.False(answered.IsCompleted);
        reading.SetException(new BadHttpRequestException("too large", StatusCodes.Status413PayloadTooLarge));
        await answered;

        Assert.Equal(413, context.Response.StatusCode);
        Assert.StartsWith("application/problem+json", context.Response.ContentType, StringComparison.Ordinal);
        context.Response.Body.Position = 0;
        var problem = JsonDocument.Parse(context.Response.Body).RootElement;
        Assert.Contains($"{new TargetOptions().Limits.MaxRequestBodyBytes} bytes", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeclaredBodyOverTheLimit_Is413_WithoutRunningTheRoute()
    {
        var context = Context();
        context.Request.ContentLength = new TargetOptions().Limits.MaxRequestBodyBytes + 1;
        var ran = false;
        var middleware = new ClientErrorMiddleware(_ =>
        {
            ran = true;
            return Task.CompletedTask;
        }, new TargetOptions(), NullLogger<ClientErrorMiddleware>.Instance);

        await middleware.InvokeAsync(context);

        Assert.False(ran);
        Assert.Equal(413, context.Response.StatusCode);
    }

    private static DefaultHttpContext Context()
    {
        var context = new DefaultHttpContext { RequestServices = new ServiceCollection().AddLogging().AddProblemDetails().BuildServiceProvider() };
        context.Response.Body = new MemoryStream();
        return context;
    }

    private sealed class StartedResponse : HttpResponseFeature
    {
        public override bool HasStarted => true;
    }
}
