using System.Text.Json;
using LlmAdapters.Tests.TestSupport;

namespace LlmAdapters.Tests.Execution;

/// <summary>Tools, tool choices, response formats and tool messages: sent where the call has a place for them, refused before sending where it has none.</summary>
public class ToolRequestTests
{
    private static readonly JsonElement CitySchema = JsonDocument.Parse("""{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}""").RootElement.Clone();

    private static readonly LlmTool Weather = new("get_weather", "Weather in a city.", CitySchema);

    private static ILlmClient Client(string adapter, RecordingHandler handler) => LlmCatalog.BuiltIn.CreateClient(
        new LlmProfile { Adapter = adapter, BaseUrl = "https://vendor.example/v1", Variables = { ["apikey"] = "sk-fake-tools", ["model"] = "m1" } },
        handler.Mock);

    [Test]
    public void Tools_OnACallWithoutAPlaceForThem_AreRefusedBeforeSending()
    {
        var handler = RecordingHandler.Json("{}");
        var client = LlmCatalog.BuiltIn.CreateClient(new LlmProfile { Adapter = "dashscope", BaseUrl = "https://vendor.example", Variables = { ["apikey"] = "k", ["model"] = "qwen-plus" } }, handler.Mock);

        var e = Assert.ThrowsAsync<LlmRequestException>(() => client.CallAsync(new LlmRequest { Call = "chat_cumulative", Prompt = "hi", Tools = [Weather] }));

        Assert.That(e!.Message, Does.Contain("The request has tools").And.Contain("call 'chat_cumulative' of adapter 'dashscope'").And.Contain("${tools}").And.Contain("nothing was sent"));
        Assert.That(handler.Requests, Is.Empty);
    }

    [Test]
    public void ToolMessages_OnACallWithoutTools_AreRefused()
    {
        var handler = RecordingHandler.Json("{}");
        var client = LlmCatalog.BuiltIn.CreateClient(new LlmProfile { Adapter = "dashscope", BaseUrl = "https://vendor.example", Variables = { ["apikey"] = "k", ["model"] = "qwen-plus" } }, handler.Mock);
        var request = new LlmRequest { Call = "chat_cumulative", Messages = [LlmMessage.User("hi"), LlmMessage.Assistant("", new LlmToolCall("c1", "get_weather", "{}")), LlmMessage.ToolResult("c1", "sunny")] };

        var e = Assert.ThrowsAsync<LlmRequestException>(() => client.CallAsync(request));

        Assert.That(e!.Message, Does.Contain("tool calls or tool results in its messages"));
        Assert.That(handler.Requests, Is.Empty);
    }

    [Test]
    public void ARequiredToolChoice_OnDashScope_IsRefusedBeforeSending_ItCanOnlyNameOneTool()
    {
        var handler = RecordingHandler.Json("{}");
        var client = LlmCatalog.BuiltIn.CreateClient(new LlmProfile { Adapter = "dashscope", BaseUrl = "https://vendor.example", Variables = { ["apikey"] = "k", ["model"] = "qwen-plus" } }, handler.Mock);

        var e = Assert.ThrowsAsync<LlmRequestException>(() => client.CallAsync(new LlmRequest { Call = "chat_sync", Prompt = "hi", Tools = [Weather], ToolChoice = LlmToolChoice.Required }));

        Assert.That(e!.Message, Does.Contain("dashscope_parameters").And.Contain("required"));
        Assert.That(handler.Requests, Is.Empty);
    }

    [Test]
    public void AToolChoice_OnMiniMax_IsRefusedBeforeSending()
    {
        var handler = RecordingHandler.Json("""{"choices":[{"finish_reason":"stop","index":0,"message":{"content":"ok","role":"assistant"}}],"base_resp":{"status_code":0,"status_msg":""}}""");
        var client = LlmCatalog.BuiltIn.CreateClient(new LlmProfile { Adapter = "minimax", BaseUrl = "https://vendor.example", Variables = { ["apikey"] = "k", ["model"] = "MiniMax-Text-01" } }, handler.Mock);

        var e = Assert.ThrowsAsync<LlmRequestException>(() => client.CallAsync(new LlmRequest { Prompt = "hi", Tools = [Weather], ToolChoice = LlmToolChoice.Tool("get_weather") }));
        Assert.That(e!.Message, Does.Contain("call 'chat' of adapter 'minimax'"));
        Assert.That(handler.Requests, Is.Empty);
    }

    [Test]
    public void AResponseFormat_OnAnthropic_IsRefused_ItHasNoJsonMode()
    {
        var handler = RecordingHandler.Json("{}");

        var e = Assert.ThrowsAsync<LlmRequestException>(() => Client("anthropic", handler).CallAsync(new LlmRequest { Call = "chat_sync", Prompt = "hi", ResponseFormat = LlmResponseFormat.Json }));

        Assert.That(e!.Message, Does.Contain("a response format (json)").And.Contain("${response_format}"));
        Assert.That(handler.Requests, Is.Empty);
    }

    [Test]
    public void AutoToolChoiceAndTextFormat_AreTheDefaults_AndSendNothing()
    {
        var handler = RecordingHandler.Json("""{"choices":[{"message":{"content":"ok"},"finish_reason":"stop"}]}""");

        Assert.DoesNotThrowAsync(() => Client("openai", handler).CallAsync(new LlmRequest { Call = "chat_sync", Prompt = "hi", Tools = [Weather], ToolChoice = LlmToolChoice.Auto, ResponseFormat = LlmResponseFormat.Text }));

        var body = JsonDocument.Parse(handler.Last.Body!).RootElement;
        Assert.That(body.TryGetProperty("tool_choice", out _), Is.False);
        Assert.That(body.TryGetProperty("response_format", out _), Is.False);
        Assert.That(body.GetProperty("tools")[0].GetProperty("function").GetProperty("name").GetString(), Is.EqualTo("get_weather"));
    }

    [Test]
    public void AToolChoiceTheVendorCannotExpress_FailsInItsConverter_BeforeSending()
    {
        var handler = RecordingHandler.Json("{}");

        var e = Assert.ThrowsAsync<LlmRequestException>(() => Client("cohere", handler).CallAsync(new LlmRequest { Call = "chat_sync", Prompt = "hi", Tools = [Weather], ToolChoice = LlmToolChoice.Tool("get_weather") }));

        Assert.That(e!.Message, Does.Contain("cohere_tool_choice").And.Contain("cannot force the tool 'get_weather'"));
        Assert.That(handler.Requests, Is.Empty);
    }

    [Test]
    public void JsonSchema_BecomesOpenAisResponseFormat()
    {
        var handler = RecordingHandler.Json("""{"choices":[{"message":{"content":"{\"city\":\"Paris\"}"},"finish_reason":"stop"}]}""");

        _ = Client("openai", handler).CallAsync(new LlmRequest { Call = "chat_sync", Prompt = "hi", ResponseFormat = LlmResponseFormat.JsonSchema("city", CitySchema) }).Result;

        Json.AssertEqual("""{"type":"json_schema","json_schema":{"name":"city","schema":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}}""",
            JsonDocument.Parse(handler.Last.Body!).RootElement.GetProperty("response_format").GetRawText());
    }

    [Test]
    public void ArgumentsCutShortAtTheEndOfAStream_AreAStreamException_ForCallAsyncAndStreamUpdates()
    {
        const string Sse = """
            data: {"id":"c1","model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"call_a","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Pa"}}]},"finish_reason":null}]}

            data: {"id":"c1","model":"m","choices":[{"index":0,"delta":{},"finish_reason":"length"}]}

            data: [DONE]


            """;
        var client = Client("openai", StreamResponses.Body(Sse));

        var call = Assert.ThrowsAsync<LlmStreamException>(() => client.CallAsync(new LlmRequest { Prompt = "hi", Tools = [Weather] }));
        Assert.That(call!.Message, Does.Contain("get_weather").And.Contain("not valid JSON"));
        Assert.ThrowsAsync<LlmStreamException>(() => StreamResponses.CollectAsync(client.StreamUpdatesAsync(new LlmRequest { Prompt = "hi", Tools = [Weather] })));

        // StreamAsync yields text only: it reads no tool call, so it has none to fail on.
        Assert.DoesNotThrowAsync(() => StreamResponses.CollectAsync(client.StreamAsync(new LlmRequest { Prompt = "hi", Tools = [Weather] })));
    }

    [Test]
    public async Task SyncToolCalls_AreReadIntoTheStandardShape()
    {
        var handler = RecordingHandler.Json("""
            {"id":"msg_1","type":"message","role":"assistant","model":"claude","content":[{"type":"text","text":"Let me check."},{"type":"tool_use","id":"toolu_1","name":"get_weather","input":{"city":"Paris"}}],"stop_reason":"tool_use","usage":{"input_tokens":10,"output_tokens":5}}
            """);

        var response = await Client("anthropic", handler).CallAsync(new LlmRequest { Call = "chat_sync", Prompt = "hi", Tools = [Weather] });

        Assert.That(response.Text, Is.EqualTo("Let me check."));
        Assert.That(response.ToolCalls, Is.EqualTo(new[] { new LlmToolCall("toolu_1", "get_weather", """{"city":"Paris"}""") }));
    }

    [Test]
    public void SyncArgumentsThatAreNotJson_AreAnError()
    {
        var handler = RecordingHandler.Json("""{"choices":[{"message":{"content":null,"tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"{\"a\":"}}]},"finish_reason":"tool_calls"}]}""");

        var e = Assert.ThrowsAsync<LlmException>(() => Client("openai", handler).CallAsync(new LlmRequest { Call = "chat_sync", Prompt = "hi", Tools = [Weather] }));

        Assert.That(e!.Message, Does.Contain("tool calls").And.Contain("not valid JSON"));
    }
}
