using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace LlmAdapters.Samples.Tests.Gateway;

/// <summary>What the fake upstream does with a request made with a key.</summary>
internal enum KeyBehaviour
{
    Answer,
    Reject,
    RateLimit,
    Fail,
}

/// <summary>
/// An OpenAI-compatible upstream on 127.0.0.1 (Chat Completions, whole or streamed, and GET /models) whose keys the test
/// controls: each key answers, is rejected (401 invalid_api_key), is rate limited (429 with Retry-After) or fails (500 with a
/// plain-text body). Unknown keys are rejected. It records every chat request's body and key.
/// </summary>
/// <remarks>
/// Error bodies are OpenAI's error object (https://platform.openai.com/docs/guides/error-codes, openai-openapi's ErrorResponse).
/// A request with <c>tools</c> whose last message is not a tool result is answered with one call of the first tool,
/// <see cref="ToolCallId"/> with <see cref="ToolCallArguments"/>, in the shape of OpenAI's function calling guide (whole:
/// <c>message.tool_calls</c>, <c>content: null</c>; streamed: <c>delta.tool_calls</c> with <c>index</c>, the first piece
/// carrying id, type and name, then <c>function.arguments</c> pieces; <c>finish_reason: "tool_calls"</c>), the shapes of
/// tests/LlmAdapters.Conformance.Tests/Fixtures/openai/tool-calls-parallel-stream.
/// </remarks>
internal sealed class FakeUpstream : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, KeyBehaviour> _keys = new(StringComparer.Ordinal);

    private FakeUpstream(WebApplication app, string name)
    {
        _app = app;
        Name = name;
        _app.MapPost("/v1/chat/completions", ChatAsync);
        _app.MapGet("/v1/models", ModelsAsync);
    }

    public string Name { get; }

    /// <summary>The base URL a profile uses, ending in /v1.</summary>
    public string BaseUrl => _app.Urls.First().TrimEnd('/') + "/v1";

    /// <summary>Every chat request: the key it carried and its JSON body.</summary>
    public ConcurrentQueue<(string Key, JsonElement Body)> Requests { get; } = new();

    /// <summary>How many GET /models calls (key validations) came in.</summary>
    public int ModelCalls => _modelCalls;

    private int _modelCalls;

    public int RetryAfterSeconds { get; set; } = 30;

    /// <summary>How long each chat answer takes.</summary>
    public TimeSpan AnswerDelay { get; set; }

    public static async Task<FakeUpstream> StartAsync(string name, params (string Key, KeyBehaviour Behaviour)[] keys)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var upstream = new FakeUpstream(builder.Build(), name);
        foreach (var (key, behaviour) in keys)
        {
            upstream.Set(key, behaviour);
        }

        await upstream._app.StartAsync();
        return upstream;
    }

    public void Set(string key, KeyBehaviour behaviour) => _keys[key] = behaviour;

    /// <summary>The answer to a question: non-ASCII on purpose, so tests see the gateway's bytes are plain UTF-8.</summary>
    public string AnswerTo(string question) => $"{Name} 你好: {question}";

    public int ChatRequestsWith(string key) => Requests.Count(r => r.Key == key);

    public const string ToolCallId = "call_12345xyz";

    public const string ToolCallArguments = """{"location":"Paris, France"}""";

    private static async Task ToolCallAsync(HttpContext context, JsonElement body, bool stream)
    {
        var name = body.GetProperty("tools")[0].GetProperty("function").GetProperty("name").GetString();
        if (!stream)
        {
            await Results.Json(new
            {
                id = "chatcmpl-fake",
                @object = "chat.completion",
                created = 1_700_000_000,
                model = "fake-model",
                choices = new[]
                {
                    new
                    {
                        index = 0,
                        message = new { role = "assistant", content = (string?)null, tool_calls = new[] { new { id = ToolCallId, type = "function", function = new { name, arguments = ToolCallArguments } } } },
                        finish_reason = "tool_calls",
                    },
                },
                usage = new { prompt_tokens = 3, completion_tokens = 5, total_tokens = 8 },
            }).ExecuteAsync(context);
            return;
        }

        context.Response.ContentType = "text/event-stream";
        var half = ToolCallArguments.Length / 2;
        var deltas = new object[]
        {
            new { role = "assistant", content = (string?)null, tool_calls = new[] { new { index = 0, id = ToolCallId, type = "function", function = new { name, arguments = "" } } } },
            new { tool_calls = new[] { new { index = 0, function = new { arguments = ToolCallArguments[..half] } } } },
            new { tool_calls = new[] { new { index = 0, function = new { arguments = ToolCallArguments[half..] } } } },
        };
        foreach (var delta in deltas)
        {
            var chunk = JsonSerializer.Serialize(new { id = "chatcmpl-fake", @object = "chat.completion.chunk", created = 1_700_000_000, model = "fake-model", choices = new[] { new { index = 0, delta, finish_reason = (string?)null } } });
            await context.Response.WriteAsync($"data: {chunk}\n\n", context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
        }

        var last = JsonSerializer.Serialize(new { id = "chatcmpl-fake", @object = "chat.completion.chunk", created = 1_700_000_000, model = "fake-model", choices = new[] { new { index = 0, delta = new { }, finish_reason = "tool_calls" } } });
        await context.Response.WriteAsync($"data: {last}\n\ndata: [DONE]\n\n", context.RequestAborted);
    }

    private async Task ChatAsync(HttpContext context)
    {
        using var body = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
        var key = Key(context);
        Requests.Enqueue((key, body.RootElement.Clone()));
        if (await RefusedAsync(context, key))
        {
            return;
        }

        if (AnswerDelay > TimeSpan.Zero)
        {
            await Task.Delay(AnswerDelay, context.RequestAborted);   // keeps requests in flight (a slow model), not a wait for a test
        }

        var messages = body.RootElement.GetProperty("messages");
        var streamed = body.RootElement.TryGetProperty("stream", out var s) && s.ValueKind == JsonValueKind.True;
        if (body.RootElement.TryGetProperty("tools", out _) && messages[messages.GetArrayLength() - 1].GetProperty("role").GetString() != "tool")
        {
            await ToolCallAsync(context, body.RootElement, streamed);
            return;
        }

        var question = messages[messages.GetArrayLength() - 1].GetProperty("content").GetString() ?? "";
        var answer = AnswerTo(question);
        var usage = new { prompt_tokens = 3, completion_tokens = 5, total_tokens = 8 };
        if (!streamed)
        {
            await Results.Json(new
            {
                id = "chatcmpl-fake",
                @object = "chat.completion",
                created = 1_700_000_000,
                model = "fake-model",
                choices = new[] { new { index = 0, message = new { role = "assistant", content = answer }, finish_reason = "stop" } },
                usage,
            }).ExecuteAsync(context);
            return;
        }

        context.Response.ContentType = "text/event-stream";
        foreach (var piece in new[] { answer[..(answer.Length / 2)], answer[(answer.Length / 2)..] })
        {
            var chunk = JsonSerializer.Serialize(new { id = "chatcmpl-fake", @object = "chat.completion.chunk", created = 1_700_000_000, model = "fake-model", choices = new[] { new { index = 0, delta = new { content = piece }, finish_reason = (string?)null } } });
            await context.Response.WriteAsync($"data: {chunk}\n\n", context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
        }

        var last = JsonSerializer.Serialize(new { id = "chatcmpl-fake", @object = "chat.completion.chunk", created = 1_700_000_000, model = "fake-model", choices = new[] { new { index = 0, delta = new { }, finish_reason = "stop" } }, usage });
        await context.Response.WriteAsync($"data: {last}\n\ndata: [DONE]\n\n", context.RequestAborted);
    }

    private async Task ModelsAsync(HttpContext context)
    {
        Interlocked.Increment(ref _modelCalls);
        if (await RefusedAsync(context, Key(context)))
        {
            return;
        }

        await Results.Text("""{"object":"list","data":[{"id":"fake-model","object":"model","created":1700000000,"owned_by":"fake"}]}""", "application/json").ExecuteAsync(context);
    }

    private async Task<bool> RefusedAsync(HttpContext context, string key)
    {
        switch (_keys.GetValueOrDefault(key, KeyBehaviour.Reject))
        {
            case KeyBehaviour.Answer:
                return false;
            case KeyBehaviour.Reject:
                var masked = key.Length > 6 ? key[..3] + "***" + key[^2..] : "***";
                await Results.Text("""{"error":{"message":"Incorrect API key provided: """ + masked + """. You can find your API key at https://platform.openai.com/account/api-keys.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}""", "application/json", statusCode: 401).ExecuteAsync(context);
                return true;
            case KeyBehaviour.RateLimit:
                context.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                await Results.Text("""{"error":{"message":"Rate limit reached for requests. Please try again later.","type":"requests","param":null,"code":"rate_limit_exceeded"}}""", "application/json", statusCode: 429).ExecuteAsync(context);
                return true;
            case KeyBehaviour.Fail:
                await Results.Text("upstream exploded", "text/plain", statusCode: 500).ExecuteAsync(context);
                return true;
            default:
                throw new InvalidOperationException("unknown behaviour");
        }
    }

    private static string Key(HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.Ordinal) ? header["Bearer ".Length..] : "";
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
