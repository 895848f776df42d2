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

    private readonly List<LlmMessage> _messages = BenchDefinitions.Conversation(10);
    private HttpClient _hand = null!;
    private HttpClient _library = null!;
    private ILlmClient _client = null!;

    [GlobalSetup]
    public void Setup()
    {
        var body = Encoding.UTF8.GetBytes(Bodies.OpenAiCompletion(Answer));
        _hand = new HttpClient(new CannedHandler(body, "application/json")) { BaseAddress = new Uri("http://127.0.0.1:1/v1/") };
        _library = new HttpClient(new CannedHandler(body, "application/json"));
        _client = LlmCatalog.BuiltIn.CreateClient(new LlmProfile { Adapter = "openai", BaseUrl = "http://127.0.0.1:1/v1", Variables = { ["apikey"] = "k", ["model"] = "m" } }, _library);
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
}
