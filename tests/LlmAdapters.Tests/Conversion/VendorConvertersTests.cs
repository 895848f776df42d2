using LlmAdapters.Conversion;
using LlmAdapters.Internal;

namespace LlmAdapters.Tests.Conversion;

public class VendorConvertersTests
{
    private const string History = """
        [
          { "role": "system", "content": "简洁回答" },
          { "role": "user", "content": "你好" },
          { "role": "assistant", "content": "你好！😀" },
          { "role": "user", "content": "这是什么？", "images": [ { "data": "AAEC", "mime_type": "image/png" }, { "url": "https://example.com/cat.jpg" } ] }
        ]
        """;

    private static string Convert(string converter, string json)
    {
        Assert.That(ConverterRegistry.BuiltInOnly.TryGet(converter, out var c), Is.True, $"converter '{converter}' is registered");
        return c!.Convert(JsonValues.Parse(System.Text.Encoding.UTF8.GetBytes(json))).GetRawText();
    }

    [Test]
    public void OpenAiMessages_TurnsImagesIntoContentParts_AndLeavesOtherMessagesAlone()
    {
        TestSupport.Json.AssertEqual("""
            [
              { "role": "system", "content": "简洁回答" },
              { "role": "user", "content": "你好" },
              { "role": "assistant", "content": "你好！😀" },
              { "role": "user", "content": [
                  { "type": "text", "text": "这是什么？" },
                  { "type": "image_url", "image_url": { "url": "data:image/png;base64,AAEC" } },
                  { "type": "image_url", "image_url": { "url": "https://example.com/cat.jpg" } } ] }
            ]
            """, Convert("openai_messages", History));
    }

    [Test]
    public void DashScopeInput_PutsToolCallsAndResultsInOpenAisShape_InsideTheInputObject()
    {
        TestSupport.Json.AssertEqual("""
            { "messages": [
                { "role": "user", "content": "杭州现在的天气如何？" },
                { "role": "assistant", "tool_calls": [ { "id": "call_1", "type": "function", "function": { "name": "get_current_weather", "arguments": "{\"location\":\"杭州\"}" } } ] },
                { "role": "tool", "tool_call_id": "call_1", "content": "多云，18 度" } ] }
            """, Convert("dashscope_input", """
            { "messages": [
                { "role": "user", "content": "杭州现在的天气如何？" },
                { "role": "assistant", "content": "", "tool_calls": [ { "id": "call_1", "name": "get_current_weather", "arguments": {"location":"杭州"} } ] },
                { "role": "tool", "tool_call_id": "call_1", "content": "多云，18 度" } ] }
            """));
    }

    [Test]
    public void DashScopeInput_NotAnObject_IsAFormatException()
    {
        var e = Assert.Throws<FormatException>(() => Convert("dashscope_input", "[]"));
        Assert.That(e!.Message, Does.Contain("dashscope_input").And.Contain("array"));
    }

    [Test]
    public void OpenAiMessages_WithoutImages_IsUnchanged()
    {
        const string messages = """[{"role":"user","content":"hi"},{"role":"assistant","content":"yo"}]""";
        TestSupport.Json.AssertEqual(messages, Convert("openai_messages", messages));
    }

    [Test]
    public void AnthropicMessages_DropsSystem_AndPutsImageBlocksBeforeTheText()
    {
        TestSupport.Json.AssertEqual("""
            [
              { "role": "user", "content": "你好" },
              { "role": "assistant", "content": "你好！😀" },
              { "role": "user", "content": [
                  { "type": "image", "source": { "type": "base64", "media_type": "image/png", "data": "AAEC" } },
                  { "type": "image", "source": { "type": "url", "url": "https://example.com/cat.jpg" } },
                  { "type": "text", "text": "这是什么？" } ] }
            ]
            """, Convert("anthropic_messages", History));
    }

    [Test]
    public void AnthropicText_JoinsOnlyTextBlocks()
    {
        const string content = """
            [ { "type": "thinking", "thinking": "想一想", "signature": "sig" }, { "type": "text", "text": "答案" }, { "type": "tool_use", "id": "t" }, { "type": "text", "text": "：42" } ]
            """;
        Assert.That(Convert("anthropic_text", content), Is.EqualTo(JsonValues.String("答案：42").GetRawText()));
        Assert.That(Convert("anthropic_thinking", content), Is.EqualTo(JsonValues.String("想一想").GetRawText()));
    }

    [Test]
    public void AnthropicThinking_IsNullWithoutThinkingBlocks_AndTextIsEmptyWithoutTextBlocks()
    {
        Assert.That(Convert("anthropic_thinking", """[{"type":"text","text":"a"}]"""), Is.EqualTo("null"));
        Assert.That(Convert("anthropic_text", """[{"type":"thinking","thinking":"a"}]"""), Is.EqualTo("\"\""));
    }

    [Test]
    public void GeminiContents_DropsSystem_RenamesAssistant_AndInlinesImages()
    {
        TestSupport.Json.AssertEqual("""
            [
              { "role": "user", "parts": [ { "text": "你好" } ] },
              { "role": "model", "parts": [ { "text": "你好！😀" } ] },
              { "role": "user", "parts": [
                  { "text": "这是什么？" },
                  { "inline_data": { "mime_type": "image/png", "data": "AAEC" } },
                  { "file_data": { "file_uri": "https://example.com/cat.jpg" } } ] }
            ]
            """, Convert("gemini_contents", History));
    }

    [Test]
    public void GeminiSystem_WrapsTheTextInParts()
    {
        TestSupport.Json.AssertEqual("""{ "parts": [ { "text": "简洁回答" } ] }""", Convert("gemini_system", "\"简洁回答\""));
    }

    [Test]
    public void GeminiText_LeavesOutThoughtParts_AndGeminiThoughtsKeepsOnlyThem()
    {
        const string parts = """[ { "text": "Let me think", "thought": true }, { "text": "答案" }, { "inlineData": {} }, { "text": "是 42 🎉" } ]""";
        Assert.That(Convert("gemini_text", parts), Is.EqualTo(JsonValues.String("答案是 42 🎉").GetRawText()));
        Assert.That(Convert("gemini_thoughts", parts), Is.EqualTo(JsonValues.String("Let me think").GetRawText()));
        Assert.That(Convert("gemini_thoughts", """[{"text":"a"}]"""), Is.EqualTo("null"));
    }

    [Test]
    public void OllamaMessages_PutsBase64ImagesInEachMessage()
    {
        TestSupport.Json.AssertEqual("""
            [ { "role": "system", "content": "s" }, { "role": "user", "content": "看图", "images": [ "AAEC", "AwQF" ] } ]
            """, Convert("ollama_messages", """
            [ { "role": "system", "content": "s" }, { "role": "user", "content": "看图", "images": [ { "data": "AAEC", "mime_type": "image/png" }, { "data": "AwQF", "mime_type": "image/jpeg" } ] } ]
            """));
    }

    [Test]
    public void BedrockMessages_AreConverseContentBlocks_WithoutSystem()
    {
        // Converse Message {role, content: [ContentBlock]}, ImageBlock {format, source: {bytes}} (botocore bedrock-runtime service-2.json).
        TestSupport.Json.AssertEqual("""
            [ { "role": "user", "content": [ { "text": "你好" } ] },
              { "role": "assistant", "content": [ { "text": "Hi 😀" } ] },
              { "role": "user", "content": [ { "image": { "format": "png", "source": { "bytes": "AAEC" } } }, { "text": "这是什么？" } ] } ]
            """, Convert("bedrock_messages", """
            [ { "role": "system", "content": "简洁" }, { "role": "user", "content": "你好" }, { "role": "assistant", "content": "Hi 😀" },
              { "role": "user", "content": "这是什么？", "images": [ { "data": "AAEC", "mime_type": "image/png" } ] } ]
            """));
    }

    [Test]
    public void BedrockSystem_AndBedrockText()
    {
        TestSupport.Json.AssertEqual("""[ { "text": "简洁回答" } ]""", Convert("bedrock_system", "\"简洁回答\""));
        Assert.That(Convert("bedrock_text", """[ { "reasoningContent": { "reasoningText": { "text": "hmm" } } }, { "text": "答案" }, { "text": "是 42" } ]"""), Is.EqualTo(JsonValues.String("答案是 42").GetRawText()));
    }

    [TestCase("bedrock_messages", """[{"role":"user","content":"x","images":[{"url":"https://x/y.png"}]}]""", "not URLs")]
    [TestCase("bedrock_messages", """[{"role":"user","content":"x","images":[{"data":"AA==","mime_type":"image/tiff"}]}]""", "png, jpeg, gif or webp")]
    [TestCase("bedrock_system", "[]", "string")]
    [TestCase("ollama_messages", """[{"role":"user","content":"x","images":[{"url":"https://x/y.png"}]}]""", "not URLs")]
    [TestCase("anthropic_messages", """[{"role":"user","content":"x","images":[{"data":"AA=="}]}]""", "mime_type")]
    [TestCase("gemini_contents", "\"hi\"", "list of {role, content, images?} messages")]
    [TestCase("openai_messages", """[{"role":"user","content":"x","images":[{"size":1}]}]""", "needs \"data\"")]
    [TestCase("anthropic_text", "{}", "list of content blocks")]
    [TestCase("gemini_text", "1", "list of text parts")]
    [TestCase("gemini_system", "[]", "string")]
    public void InvalidInput_ThrowsFormatException(string converter, string input, string expected)
    {
        Assert.That(ConverterRegistry.BuiltInOnly.TryGet(converter, out var c), Is.True);
        var e = Assert.Throws<FormatException>(() => c!.Convert(JsonValues.Parse(System.Text.Encoding.UTF8.GetBytes(input))));
        Assert.That(e!.Message, Does.Contain(expected));
    }
}
