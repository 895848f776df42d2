using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;

namespace LlmAdapters.Tests.TestSupport;

/// <summary>A real Kestrel server on 127.0.0.1 (a free port), for what a mock hides: chunk boundaries, split UTF-8, disconnects.</summary>
/// <remarks>Tests register a handler under a unique path with <see cref="Route"/>; requests to other paths get 404.</remarks>
internal sealed class LoopbackServer : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, RequestDelegate> _routes = new(StringComparer.Ordinal);
    private LoopbackHost _host = null!;

    private LoopbackServer()
    {
    }

    public string BaseUrl => _host.BaseUrl;

    public static async Task<LoopbackServer> StartAsync()
    {
        var server = new LoopbackServer();
        server._host = await LoopbackHost.StartAsync(context => server._routes.TryGetValue(context.Request.Path.Value ?? string.Empty, out var handler)
            ? handler(context)
            : Results.NotFound().ExecuteAsync(context));
        return server;
    }

    /// <summary>Serves <paramref name="handler"/> at a fresh path plus <paramref name="callPath"/>; returns the fresh path, to use as a base URL's path.</summary>
    public string Route(RequestDelegate handler, string callPath = "/x")
    {
        var path = "/r/" + Guid.NewGuid().ToString("N");
        _routes[path + callPath] = handler;
        return path;
    }

    /// <summary>Writes <paramref name="body"/> in the given pattern, flushing after every write.</summary>
    public static async Task WriteAsync(HttpContext context, byte[] body, WritePattern pattern, string contentType, int seed = 42)
    {
        context.Response.ContentType = contentType;
        var output = context.Response.Body;
        foreach (var (start, length) in WritePatterns.Split(body, pattern, seed))
        {
            await output.WriteAsync(body.AsMemory(start, length), context.RequestAborted);
            await output.FlushAsync(context.RequestAborted);
        }
    }

    public ValueTask DisposeAsync() => _host.DisposeAsync();
}

