using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace LlmAdapters.Samples.Tests.Gateway;

/// <summary>
/// An OpenAI-compatible upstream on 127.0.0.1 that streams one chunk ("first"), then waits for <see cref="Release"/> before
/// the rest ("second"). With a burst, "first" comes after that many chunks ("p0", "p1", ...), all in one write. With
/// <c>breaksAfterRelease</c>, the connection is aborted at the release instead: the stream breaks mid-way.
/// </summary>
internal sealed class GatedUpstream : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly int _burst;
    private readonly bool _breaksAfterRelease;
    private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private GatedUpstream(WebApplication app, int burst, bool breaksAfterRelease)
    {
        _app = app;
        _burst = burst;
        _breaksAfterRelease = breaksAfterRelease;
        _app.MapPost("/v1/chat/completions", StreamAsync);
    }

    public string BaseUrl => _app.Urls.First().TrimEnd('/') + "/v1";

    public static async Task<GatedUpstream> StartAsync(int burst = 0, bool breaksAfterRelease = false)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var upstream = new GatedUpstream(builder.Build(), burst, breaksAfterRelease);
        await upstream._app.StartAsync();
        return upstream;
    }

    public void Release() => _gate.TrySetResult();

    private async Task StreamAsync(HttpContext context)
    {
        context.Response.ContentType = "text/event-stream";
        var events = new System.Text.StringBuilder();
        for (var i = 0; i < _burst; i++)
        {
            events.Append("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"p").Append(i).Append("\"},\"finish_reason\":null}]}\n\n");
        }

        events.Append("""data: {"choices":[{"index":0,"delta":{"content":"first"},"finish_reason":null}]}""" + "\n\n");
        await context.Response.WriteAsync(events.ToString());
        await context.Response.Body.FlushAsync();
        await _gate.Task.WaitAsync(TimeSpan.FromSeconds(20), context.RequestAborted);   // bounded: a broken gateway fails the test, not hangs it
        if (_breaksAfterRelease)
        {
            context.Abort();
            return;
        }

        await context.Response.WriteAsync("""data: {"choices":[{"index":0,"delta":{"content":"second"},"finish_reason":"stop"}]}""" + "\n\ndata: [DONE]\n\n");
    }

    public async ValueTask DisposeAsync()
    {
        Release();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
