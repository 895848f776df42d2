using LlmAdapters.Tests.TestSupport;

namespace LlmAdapters.Tests.Adapters;

public class MiniMaxAdapterTests
{
    private static readonly LlmCatalog Catalog = LlmCatalog.FromDirectory(Paths.Adapters);

    private static ILlmClient Client(RecordingHandler handler) => Catalog.CreateClient(
        new LlmProfile { Adapter = "minimax", BaseUrl = "https://api.minimax.chat", Variables = { ["apikey"] = "mm-key-123", ["model"] = "abab6.5s-chat", ["groupid"] = "1700" } },
        handler.Mock);

    [Test]
    public async Task Chat_SendsRequest_AndMapsAnswer()
    {
        var handler = RecordingHandler.Json("""
            {
              "id": "02ff", "model": "abab6.5s-chat", "object": "chat.completion",
              "choices": [ { "finish_reason": "stop", "index": 0, "message": { "content": "我是MM助手。", "role": "assistant" } } ],
              "usage": { "total_tokens": 72 },
              "base_resp": { "status_code": 0, "status_msg": "" }
            }
            """);

        var response = await Client(handler).CallAsync(new LlmRequest { System = "简短回答", Messages = [LlmMessage.User("你是谁")] });

        Assert.That(handler.Last.Url.AbsoluteUri, Is.EqualTo("https://api.minimax.chat/v1/text/chatcompletion_v2"));
        Assert.That(handler.Last.Headers["Authorization"], Is.EqualTo("Bearer mm-key-123"));
        Assert.That(handler.Last.ContentType, Does.StartWith("application/json"));
        Json.AssertEqual("""
            { "model": "abab6.5s-chat", "messages": [ { "role": "system", "content": "简短回答" }, { "role": "user", "content": "你是谁" } ], "stream": false }
            """, handler.Last.Body!);
        Assert.That(handler.Last.Body, Does.Contain("你是谁"), "Chinese text is sent as UTF-8, not \\u escapes");
        Assert.That(response.Text, Is.EqualTo("我是MM助手。"));
        Assert.That(response.Usage, Is.EqualTo(new LlmUsage(null, null, 72)));
    }

    [Test]
    public void Chat_InBandError_IsRaised()
    {
        var handler = RecordingHandler.Json("""{ "base_resp": { "status_code": 1008, "status_msg": "insufficient balance" } }""");
        var e = Assert.ThrowsAsync<LlmHttpException>(() => Client(handler).CallAsync(new LlmRequest { Prompt = "hi" }))!;
        Assert.That(e.VendorCode, Is.EqualTo("1008"));
        Assert.That(e.VendorMessage, Is.EqualTo("insufficient balance"));
    }
}
