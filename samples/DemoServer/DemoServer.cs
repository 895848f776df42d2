using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LlmAdapters.Samples;

/// <summary>
/// A tiny vendor on 127.0.0.1, so the samples run without an account: OpenAI-compatible chat completions (whole or
/// streamed as Server-Sent Events), a model list, and a DashScope-style async text-to-image task. A chat request with
/// <c>tools</c> is answered with a call of the first tool (its first parameter set to the question's last word), and
/// once the history ends with that tool's result, with an answer that quotes the result.
/// </summary>
public sealed class DemoServer : IAsyncDisposable
{
    /// <summary>The API key the demo server accepts.</summary>
    public const string ApiKey = "demo-key";

    /// <summary>The model the demo server lists.</summary>
    public const string Model = "demo-model";

    private readonly WebApplication _app;

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> _tasks = new();

    private DemoServer(WebApplication app, string rootUrl)
    {
        _app = app;
        RootUrl = rootUrl;
        BaseUrl = rootUrl + "/v1";
    }

    /// <summary>The base URL of the OpenAI-compatible API, such as http://127.0.0.1:5123/v1.</summary>
    public string BaseUrl { get; }

    /// <summary>The server's root URL, such as http://127.0.0.1:5123: the base URL of its DashScope-style task API.</summary>
    public string RootUrl { get; }

    /// <summary>Starts the server on a free loopback port.</summary>
    public static async Task<DemoServer> StartAsync(CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.MapPost("/v1/chat/completions", ChatAsync);
        app.MapGet("/v1/models", (HttpContext context) => Authorized(context)
            ? Results.Text($$"""{"object":"list","data":[{"id":"{{Model}}","object":"model","owned_by":"llmadapters"}]}""", "application/json")
            : Unauthorized());
        DemoServer? server = null;
        app.MapPost("/api/v1/services/aigc/text2image/image-synthesis", (HttpContext context) => server!.SubmitImage(context));
        app.MapGet("/api/v1/tasks/{id}", (HttpContext context, string id) => server!.QueryTask(context, id));
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server = new DemoServer(app, address.TrimEnd('/'));
        return server;
    }

    /// <summary>The answer the demo server gives to a question.</summary>
    public static string AnswerTo(string question) => $"你好！This is the LlmAdapters demo server. You asked: “{question}” 🙂";

    private static bool Authorized(HttpContext context)
        => context.Request.Headers.Authorization.ToString() == "Bearer " + ApiKey;

    private static IResult Unauthorized()
        => Results.Text("""{"error":{"message":"Incorrect API key provided.","type":"invalid_request_error","code":"invalid_api_key"}}""", "application/json", statusCode: 401);

    private static async Task ChatAsync(HttpContext context)
    {
        if (!Authorized(context))
        {
            await Unauthorized().ExecuteAsync(context);
            return;
        }

        using var body = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
        var root = body.RootElement;
        var question = root.TryGetProperty("messages", out var messages) && messages.GetArrayLength() > 0
            ? messages[messages.GetArrayLength() - 1].GetProperty("content").GetString() ?? string.Empty
            : string.Empty;
        var stream = root.TryGetProperty("stream", out var s) && s.ValueKind == JsonValueKind.True;
        if (root.TryGetProperty("tools", out var tools) && tools.ValueKind == JsonValueKind.Array && tools.GetArrayLength() > 0)
        {
            var last = messages[messages.GetArrayLength() - 1];
            if (last.GetProperty("role").GetString() != "tool")
            {
                await CallToolAsync(context, tools[0], question, stream);
                return;
            }

            question = string.Empty;
            var answerFromTool = AnswerWithToolResult(last.GetProperty("content").GetString() ?? string.Empty);
            await AnswerAsync(context, question, answerFromTool, stream);
            return;
        }

        await AnswerAsync(context, question, AnswerTo(question), stream);
    }

    /// <summary>The answer the demo server gives once a tool has answered.</summary>
    public static string AnswerWithToolResult(string result) => $"The tool says: {result}";

    /// <summary>Asks for a call of <paramref name="tool"/>: its first parameter gets the question's last word ("Paris" in "Weather in Paris?").</summary>
    private static async Task CallToolAsync(HttpContext context, JsonElement tool, string question, bool stream)
    {
        var function = tool.GetProperty("function");
        var name = function.GetProperty("name").GetString()!;
        var parameter = function.TryGetProperty("parameters", out var schema) && schema.TryGetProperty("properties", out var properties)
            ? properties.EnumerateObject().Select(p => p.Name).FirstOrDefault()
            : null;
        var word = question.Split(' ', StringSplitOptions.RemoveEmptyEntries).LastOrDefault()?.Trim('?', '!', '.', '？', '。') ?? string.Empty;
        var arguments = parameter is null ? "{}" : JsonSerializer.Serialize(new Dictionary<string, string> { [parameter] = word });
        const string CallId = "call_demo_1";
        if (!stream)
        {
            var json = JsonSerializer.Serialize(new
            {
                id = "chatcmpl-demo",
                @object = "chat.completion",
                model = Model,
                choices = new[] { new { index = 0, message = new { role = "assistant", content = (string?)null, tool_calls = new[] { new { id = CallId, type = "function", function = new { name, arguments } } } }, finish_reason = "tool_calls" } },
            });
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(json, context.RequestAborted);
            return;
        }

        // As OpenAI streams a call: the first fragment has the id and name, the arguments follow in pieces.
        context.Response.ContentType = "text/event-stream";
        var half = arguments.Length / 2;
        object[] fragments =
        [
            new { index = 0, id = CallId, type = "function", function = new { name, arguments = string.Empty } },
            new { index = 0, function = new { arguments = arguments[..half] } },
            new { index = 0, function = new { arguments = arguments[half..] } },
        ];
        foreach (var fragment in fragments)
        {
            var chunk = JsonSerializer.Serialize(new { id = "chatcmpl-demo", @object = "chat.completion.chunk", model = Model, choices = new[] { new { index = 0, delta = new { tool_calls = new[] { fragment } }, finish_reason = (string?)null } } });
            await context.Response.WriteAsync($"data: {chunk}\n\n", context.RequestAborted);
        }

        var end = JsonSerializer.Serialize(new { id = "chatcmpl-demo", @object = "chat.completion.chunk", model = Model, choices = new[] { new { index = 0, delta = new { }, finish_reason = "tool_calls" } } });
        await context.Response.WriteAsync($"data: {end}\n\ndata: [DONE]\n\n", context.RequestAborted);
    }

    private static async Task AnswerAsync(HttpContext context, string question, string answer, bool stream)
    {
        var usage = new { prompt_tokens = question.Length, completion_tokens = answer.Length, total_tokens = question.Length + answer.Length };
        if (!stream)
        {
            var json = JsonSerializer.Serialize(new
            {
                id = "chatcmpl-demo",
                @object = "chat.completion",
                model = Model,
                choices = new[] { new { index = 0, message = new { role = "assistant", content = answer }, finish_reason = "stop" } },
                usage,
            });
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(json, context.RequestAborted);
            return;
        }

        context.Response.ContentType = "text/event-stream";
        var words = SplitKeepingSpaces(answer);
        foreach (var word in words)
        {
            var chunk = JsonSerializer.Serialize(new
            {
                id = "chatcmpl-demo",
                @object = "chat.completion.chunk",
                model = Model,
                choices = new[] { new { index = 0, delta = new { content = word }, finish_reason = (string?)null } },
            });
            await context.Response.WriteAsync($"data: {chunk}\n\n", context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
            await Task.Delay(30, context.RequestAborted); // so a person watching sees the words arrive
        }

        var last = JsonSerializer.Serialize(new { id = "chatcmpl-demo", @object = "chat.completion.chunk", model = Model, choices = new[] { new { index = 0, delta = new { }, finish_reason = "stop" } } });
        var usageChunk = JsonSerializer.Serialize(new { id = "chatcmpl-demo", @object = "chat.completion.chunk", model = Model, choices = Array.Empty<object>(), usage });
        await context.Response.WriteAsync($"data: {last}\n\ndata: {usageChunk}\n\ndata: [DONE]\n\n", context.RequestAborted);
    }

    /// <summary>A DashScope-style async task: submitted PENDING, RUNNING at the first poll, SUCCEEDED at the second.</summary>
    private IResult SubmitImage(HttpContext context)
    {
        if (!Authorized(context))
        {
            return Unauthorized();
        }

        if (context.Request.Headers["X-DashScope-Async"] != "enable")
        {
            return Results.Text("""{"code":"InvalidParameter","message":"This call must be asynchronous: send X-DashScope-Async: enable."}""", "application/json", statusCode: 400);
        }

        var id = Guid.NewGuid().ToString();
        _tasks[id] = 0;
        return Results.Text($$$"""{"output":{"task_status":"PENDING","task_id":"{{{id}}}"},"request_id":"{{{Guid.NewGuid()}}}"}""", "application/json");
    }

    private IResult QueryTask(HttpContext context, string id)
    {
        if (!Authorized(context))
        {
            return Unauthorized();
        }

        if (!_tasks.TryGetValue(id, out var polls))
        {
            return Results.Text($$$"""{"output":{"task_id":"{{{id}}}","task_status":"UNKNOWN"}}""", "application/json");
        }

        _tasks[id] = ++polls;
        return polls < 2
            ? Results.Text($$$"""{"output":{"task_id":"{{{id}}}","task_status":"RUNNING"}}""", "application/json")
            : Results.Text($$$"""{"output":{"task_id":"{{{id}}}","task_status":"SUCCEEDED","results":[{"url":"{{{RootUrl}}}/images/{{{id}}}.png"}]},"usage":{"image_count":1}}""", "application/json");
    }

    private static List<string> SplitKeepingSpaces(string text)
    {
        var words = new List<string>();
        var current = new StringBuilder();
        foreach (var rune in text.EnumerateRunes())
        {
            current.Append(rune.ToString());
            if (rune.Value == ' ' || rune.Value > 0x2E80)
            {
                words.Add(current.ToString());
                current.Clear();
            }
        }

        if (current.Length > 0)
        {
            words.Add(current.ToString());
        }

        return words;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
