using LlmAdapters.Tests.TestSupport;

namespace LlmAdapters.Tests.Adapters;

public class OpenAiAdapterTests
{
    private static readonly LlmCatalog Catalog = LlmCatalog.FromDirectory(Paths.Adapters);

    private static ILlmClient Client(RecordingHandler handler, string baseUrl = "https://api.moonshot.cn/v1") => Catalog.CreateClient(
        new LlmProfile { Adapter = "openai", BaseUrl = baseUrl, Variables = { ["apikey"] = "sk-test", ["model"] = "moonshot-v1-8k" } },
        handler.Mock);

    [Test]
    public async Task Chat_Streams_WithUsageInTheLastChunk()
    {
        var handler = StreamResponses.Body(StreamResponses.OpenAi(["你好", "！"]));
        var client = Client(handler);

        var pieces = await StreamResponses.CollectAsync(client.StreamAsync(new LlmRequest { Messages = [new("user", "你好")], MaxTokens = 256 }));

        Assert.That(pieces, Is.EqualTo(new[] { "你好", "！" }));
        Assert.That(handler.Last.Url.AbsoluteUri, Is.EqualTo("https://api.moonshot.cn/v1/chat/completions"));
        Assert.That(handler.Last.Headers["Accept"], Is.EqualTo("text/event-stream"));
        Json.AssertEqual("""
            { "model": "moonshot-v1-8k", "messages": [ { "role": "user", "content": "你好" } ], "max_tokens": 256, "stream": true, "stream_options": { "include_usage": true } }
            """, handler.Last.Body!);

        var response = await Client(StreamResponses.Body(StreamResponses.OpenAi(["你好", "！"]))).CallAsync(new LlmRequest { Prompt = "你好" });
        Assert.That(response.Text, Is.EqualTo("你好！"));
        Assert.That(response.Usage, Is.EqualTo(new LlmUsage(5, 7, 12)));
        Assert.That(response.FinishReason, Is.EqualTo("stop"));
    }

    [Test]
    public async Task ChatSync_SendsOpenAiRequest_AndMapsAnswer()
    {
        var handler = RecordingHandler.Json("""
            {
              "id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "moonshot-v1-8k",
              "choices": [ { "index": 0, "message": { "role": "assistant", "content": "你好！有什么可以帮你？" }, "finish_reason": "stop" } ],
              "usage": { "prompt_tokens": 8, "completion_tokens": 9, "total_tokens": 17 }
            }
            """);

        var response = await Client(handler).CallAsync(new LlmRequest { Call = "chat_sync", Messages = [new("user", "你好")], MaxTokens = 256, Temperature = 0.3 });

        Assert.That(handler.Last.Method, Is.EqualTo(HttpMethod.Post));
        Assert.That(handler.Last.Url.AbsoluteUri, Is.EqualTo("https://api.moonshot.cn/v1/chat/completions"));
        Assert.That(handler.Last.Headers["Authorization"], Is.EqualTo("Bearer sk-test"));
        Json.AssertEqual("""
            { "model": "moonshot-v1-8k", "messages": [ { "role": "user", "content": "你好" } ], "max_tokens": 256, "temperature": 0.3, "stream": false }
            """, handler.Last.Body!);
        Assert.That(response.Text, Is.EqualTo("你好！有什么可以帮你？"));
        Assert.That(response.FinishReason, Is.EqualTo("stop"));
        Assert.That(response.Usage, Is.EqualTo(new LlmUsage(8, 9, 17)));
        Assert.That(response.GetString("model"), Is.EqualTo("moonshot-v1-8k"));
    }

    [Test]
    public async Task Models_SendsGetWithoutBody()
    {
        var handler = RecordingHandler.Json("""{ "object": "list", "data": [ { "id": "moonshot-v1-8k", "object": "model" }, { "id": "moonshot-v1-32k", "object": "model" } ] }""");
        var response = await Client(handler, "https://api.moonshot.cn/v1/").CallAsync(new LlmRequest { Call = "models" });

        Assert.That(handler.Last.Method, Is.EqualTo(HttpMethod.Get));
        Assert.That(handler.Last.Url.AbsoluteUri, Is.EqualTo("https://api.moonshot.cn/v1/models"));
        Assert.That(handler.Last.Body, Is.Null);
        Assert.That(response.GetString("first"), Is.EqualTo("moonshot-v1-8k"));
        Assert.That(response.Text, Is.EqualTo("moonshot-v1-8k\nmoonshot-v1-32k"));
        Assert.That(response.Fields["models"].EnumerateArray().Select(m => m.GetString()), Is.EqualTo(new[] { "moonshot-v1-8k", "moonshot-v1-32k" }));
    }

    [Test]
    public void Chat_ErrorBody_GivesVendorMessage()
    {
        var handler = RecordingHandler.Json("""{"error":{"message":"The model `gpt-9` does not exist","type":"invalid_request_error","param":null,"code":"model_not_found"}}""", System.Net.HttpStatusCode.NotFound);
        var e = Assert.ThrowsAsync<LlmHttpException>(() => Client(handler).CallAsync(new LlmRequest { Call = "chat_sync", Prompt = "hi" }))!;
        Assert.That(e.VendorMessage, Is.EqualTo("The model `gpt-9` does not exist"));
        Assert.That(e.VendorCode, Is.EqualTo("model_not_found"));
    }
}
