using System.Net.Http.Headers;
using System.Text;
using BenchmarkDotNet.Attributes;
using LlmAdapters.Benchmarks.Support;

namespace LlmAdapters.Benchmarks.Micro;

/// <summary>
/// A sync call with 10 messages through the shipped openai adapter's <c>chat_sync</c>: templates filled, the JSON body
/// written, sent to a handler that reads the body and answers a small canned completion, which is then parsed. No network.
/// </summary>
[MemoryDiagnoser]
public class RequestBuilding
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");
    private const string Answer = "你好！I am a canned answer 🙂.";

    // The smallest call a definition can have: a GET with no headers, no body and no resp (the body is the text).
    private const string Minimal = """{ "name": "minimal", "get": { "path": "/x", "method": "GET" } }""";

    private readonly List<LlmMessage> _messages = BenchDefinitions.Conversation(10);
    private readonly List<LlmMessage> _oneMessage = BenchDefinitions.Conversation(1);
    private HttpClient _hand = null!;
    private HttpClient _library = null!;
    private ILlmClient _client = null!;
    private ILlmClient _minimal = null!;

    [GlobalSetup]
    public void Setup()
    {
        var body = Encoding.UTF8.GetBytes(Bodies.OpenAiCompletion(Answer));
        _hand = new HttpClient(new CannedHandler(body, "application/json")) { BaseAddress = new Uri("http://127.0.0.1:1/v1/") };
        _library = new HttpClient(new CannedHandler(body, "application/json"));
        _client = LlmCatalog.BuiltIn.CreateClient(new LlmProfile { Adapter = "openai", BaseUrl = "http://127.0.0.1:1/v1", Variables = { ["apikey"] = "k", ["model"] = "m" } }, _library);
        _minimal = LlmCatalog.FromJson(Minimal, "minimal.json").CreateClient(new LlmProfile { Adapter = "minimal", BaseUrl = "http://127.0.0.1:1/v1" }, _library);
        var hand = HandWritten().GetAwaiter().GetResult();
        var library = LlmAdapters_CallAsync().GetAwaiter().GetResult();
        if (hand != Answer || library != Answer)
        {
            throw new InvalidOperationException($"RequestBuilding: expected \"{Answer}\", the hand-written call gave \"{hand}\" and LlmAdapters \"{library}\".");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _hand.Dispose();
        _library.Dispose();
    }

    /// <summary>Utf8JsonWriter body, HttpClient POST, response bytes read and walked with Utf8JsonReader.</summary>
    [Benchmark(Baseline = true)]
    public async Task<string?> HandWritten()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "chat/completions") { Content = new ReadOnlyMemoryContent(Support.HandWritten.OpenAiRequestBody("m", _messages, stream: false)) };
        request.Content.Headers.ContentType = Json;
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "k");
        using var response = await _hand.SendAsync(request);
        response.EnsureSuccessStatusCode();
        var bytes = await response.Content.ReadAsByteArrayAsync();
        return Support.HandWritten.OpenAiCompletionText(bytes);
    }

    [Benchmark]
    public async Task<string?> LlmAdapters_CallAsync()
        => (await _client.CallAsync(new LlmRequest { Call = "chat_sync", Messages = _messages })).Text;

    // The next three split the cost of the call above, through the public API only.

    /// <summary>The same call with one message instead of ten: what the messages cost to template and write.</summary>
    [Benchmark]
    public async Task<string?> LlmAdapters_CallAsync_1_message()
        => (await _client.CallAsync(new LlmRequest { Call = "chat_sync", Messages = _oneMessage })).Text;

    /// <summary>The fixed cost of any call: a GET with no body and no resp, returning the body as text.</summary>
    [Benchmark]
    public async Task<string?> LlmAdapters_minimal_GET()
        => (await _minimal.CallAsync(new LlmRequest { Call = "get" })).Text;

    /// <summary>The hand-written counterpart of the minimal call.</summary>
    [Benchmark]
    public async Task<string?> HandWritten_minimal_GET()
    {
        using var response = await _hand.GetAsync("x");
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync();
    }
}
