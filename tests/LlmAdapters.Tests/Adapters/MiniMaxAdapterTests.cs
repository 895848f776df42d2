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
    public async Task ChatPro_Streams_AndFiltersTheFinalChunkThatRepeatsTheAnswer()
    {
        // chatcompletion_pro streams 'data: {...}' lines; the last chunk repeats the whole answer in 'reply'.
        const string Body = """
            data: {"created":1,"model":"abab6.5s-chat","reply":"","choices":[{"finish_reason":"","messages":[{"sender_type":"BOT","sender_name":"MM助手","text":"你好，"}]}],"output_sensitive":false}

            data: {"created":1,"model":"abab6.5s-chat","reply":"","choices":[{"finish_reason":"","messages":[{"sender_type":"BOT","sender_name":"MM助手","text":"我是MM助手。"}]}],"output_sensitive":false}

            data: {"created":1,"model":"abab6.5s-chat","reply":"你好，我是MM助手。","choices":[{"finish_reason":"stop","messages":[{"sender_type":"BOT","sender_name":"MM助手","text":"你好，我是MM助手。"}]}],"usage":{"total_tokens":60},"input_sensitive":false,"output_sensitive":false,"id":"x","base_resp":{"status_code":0,"status_msg":""}}


            """;
        var handler = StreamResponses.Body(Body);
        var pieces = await StreamResponses.CollectAsync(Client(handler).StreamAsync(new LlmRequest { Call = "chat_pro", System = "简短", Messages = [LlmMessage.User("你好")] }));

        Assert.That(pieces, Is.EqualTo(new[] { "你好，", "我是MM助手。" }));
        Assert.That(handler.Last.Url.AbsoluteUri, Is.EqualTo("https://api.minimax.chat/v1/text/chatcompletion_pro?GroupId=1700"));
        Json.AssertEqual("""
            {
              "model": "abab6.5s-chat",
              "messages": [ { "sender_type": "USER", "sender_name": "用户", "text": "你好" } ],
              "stream": true,
              "bot_setting": [ { "bot_name": "MM助手", "content": "简短" } ],
              "reply_constraints": { "sender_type": "BOT", "sender_name": "MM助手" }
            }
            """, handler.Last.Body!);

        var response = await Client(StreamResponses.Body(Body)).CallAsync(new LlmRequest { Call = "chat_pro", Prompt = "你好" });
        Assert.That(response.Text, Is.EqualTo("你好，我是MM助手。"));
        Assert.That(response.Usage?.TotalTokens, Is.EqualTo(60));
        Assert.That(response.FinishReason, Is.EqualTo("stop"));
    }

    [Test]
    public void ChatPro_InBandErrorInStream_IsRaised()
    {
        const string Body = "data: {\"base_resp\":{\"status_code\":1002,\"status_msg\":\"rate limit\"}}\n\n";
        var e = Assert.ThrowsAsync<LlmStreamException>(() => StreamResponses.CollectAsync(Client(StreamResponses.Body(Body)).StreamAsync(new LlmRequest { Call = "chat_pro", Prompt = "x" })))!;
        Assert.That(e.VendorCode, Is.EqualTo("1002"));
        Assert.That(e.VendorMessage, Is.EqualTo("rate limit"));
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
