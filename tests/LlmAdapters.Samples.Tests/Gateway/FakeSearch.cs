using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace LlmAdapters.Samples.Tests.Gateway;

/// <summary>
/// A SearXNG-compatible search service on 127.0.0.1: <c>GET /search?q=...&amp;format=json</c> answers SearXNG's JSON
/// (query, number_of_results, results[] with url, title, content, engine; answers, corrections, infoboxes, suggestions,
/// unresponsive_engines), as documented at https://docs.searxng.org/dev/search_api.html. Records every query.
/// </summary>
internal sealed class FakeSearch : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeSearch(WebApplication app)
    {
        _app = app;
        _app.MapGet("/search", (HttpContext context) =>
        {
            Queries.Enqueue((context.Request.Query["q"].ToString(), context.Request.Query["format"].ToString()));
            if (Fail)
            {
                return Results.Text("Too Many Requests", "text/plain", statusCode: 429);
            }

            return Results.Text("""
                {"query":"q","number_of_results":0,"results":[
                 {"url":"https://example.org/llm","title":"LlmAdapters 网关","content":"The gateway answers OpenAI clients.","engine":"duckduckgo","parsed_url":["https","example.org","/llm","","",""],"template":"default.html","engines":["duckduckgo"],"positions":[1],"score":1.0,"category":"general"},
                 {"url":"https://example.com/second","title":"Second result","content":"More text.","engine":"brave","parsed_url":["https","example.com","/second","","",""],"template":"default.html","engines":["brave"],"positions":[2],"score":0.5,"category":"general"}],
                 "answers":[],"corrections":[],"infoboxes":[],"suggestions":[],"unresponsive_engines":[]}
                """, "application/json");
        });
    }

    public string Url => _app.Urls.First().TrimEnd('/');

    public ConcurrentQueue<(string Query, string Format)> Queries { get; } = new();

    public bool Fail { get; set; }

    public static async Task<FakeSearch> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var search = new FakeSearch(builder.Build());
        await search._app.StartAsync();
        return search;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
