using System.ClientModel;
using System.Net;
using System.Text;
using System.Text.Json;
using NUnit.Framework;
using OpenAI.Chat;

namespace LlmAdapters.Samples.Tests.Gateway;

/// <summary>
/// Tools, tool choice, response format and tool messages pass through the gateway to a profile whose adapter's chat call
/// takes them, and the model's tool calls come back in OpenAI's shape (whole and streamed); a profile whose chat call has
/// no place for them, and the legacy function parameters, get a 400 naming the parameter.
/// </summary>
public sealed class ToolCallingTests
{
    private const string Schema = """{"type":"object","properties":{"location":{"type":"string","description":"City and country e.g. Bogotá, Colombia"}},"required":["location"]}""";

    private FakeUpstream _upstream = null!;
    private TestGateway _gateway = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _upstream = await FakeUpstream.StartAsync("up", ("sk", KeyBehaviour.Answer), ("sk-failing", KeyBehaviour.Fail));
        var settings = TestGateway.Profile("p", _upstream, "sk");
        foreach (var (key, value) in TestGateway.Profile("m", _upstream, "sk").Concat(TestGateway.Profile("f", _upstream, "sk-failing")).Concat(TestGateway.Profile("q", _upstream, "sk")))
        {
            settings[key] = value;
        }

        settings["LlmAdapters:Profiles:m:Adapter"] = "espai";   // its chat call takes no tools, tool choice or response format
        settings["LlmAdapters:Profiles:f:Fallbacks:0"] = "m";
        settings["LlmAdapters:Profiles:f:Fallbacks:1"] = "q";
        _gateway = await TestGateway.StartAsync(settings);
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        await _gateway.DisposeAsync();
        await _upstream.DisposeAsync();
    }

    private static ChatTool Weather() => ChatTool.CreateFunctionTool("get_weather", "Get current temperature for a given location.", BinaryData.FromString(Schema));

    private JsonElement UpstreamBody(string firstMessage)
        => _upstream.Requests.Last(r => r.Body.GetProperty("messages")[0].GetProperty("content").GetString() == firstMessage).Body;

    [Test]
    public async Task TwoStepToolLoop_ThroughTheGateway()
    {
        var options = new ChatCompletionOptions { ToolChoice = ChatToolChoice.CreateRequiredChoice(), AllowParallelToolCalls = false };
        options.Tools.Add(Weather());
        var chat = _gateway.Chat("p");
        List<ChatMessage> history = [new UserChatMessage("loop-sync: weather in Paris?")];

        ChatCompletion first = await chat.CompleteChatAsync(history, options);
        var sent = UpstreamBody("loop-sync: weather in Paris?");
        Assert.Multiple(() =>
        {
            Assert.That(first.FinishReason, Is.EqualTo(ChatFinishReason.ToolCalls));
            Assert.That(first.ToolCalls, Has.Count.EqualTo(1));
            Assert.That(first.ToolCalls[0].Id, Is.EqualTo(FakeUpstream.ToolCallId));
            Assert.That(first.ToolCalls[0].FunctionName, Is.EqualTo("get_weather"));
            Assert.That(first.ToolCalls[0].FunctionArguments.ToString(), Is.EqualTo(FakeUpstream.ToolCallArguments));
            Assert.That(first.Content, Is.Empty, "content is null when the answer is only tool calls");

            var tool = sent.GetProperty("tools")[0];
            Assert.That(tool.GetProperty("type").GetString(), Is.EqualTo("function"));
            Assert.That(tool.GetProperty("function").GetProperty("name").GetString(), Is.EqualTo("get_weather"));
            Assert.That(tool.GetProperty("function").GetProperty("description").GetString(), Is.EqualTo("Get current temperature for a given location."));
            Assert.That(JsonElement.DeepEquals(tool.GetProperty("function").GetProperty("parameters"), JsonDocument.Parse(Schema).RootElement), Is.True, tool.ToString());
            Assert.That(sent.GetProperty("tool_choice").GetString(), Is.EqualTo("required"));
            Assert.That(sent.GetProperty("parallel_tool_calls").ValueKind, Is.EqualTo(JsonValueKind.False));
        });

        history.Add(new AssistantChatMessage(first));
        history.Add(new ToolChatMessage(first.ToolCalls[0].Id, "14 °C"));
        options.ToolChoice = ChatToolChoice.CreateAutoChoice();
        ChatCompletion second = await chat.CompleteChatAsync(history, options);

        AssertSecondStep(second.Content[0].Text, second.FinishReason, UpstreamBody("loop-sync: weather in Paris?"));
    }

    [Test]
    public async Task TwoStepToolLoop_Streamed_ThroughTheGateway()
    {
        var options = new ChatCompletionOptions { ToolChoice = ChatToolChoice.CreateFunctionChoice("get_weather") };
        options.Tools.Add(Weather());
        var chat = _gateway.Chat("p");
        List<ChatMessage> history = [new UserChatMessage("loop-stream: weather in Paris?")];

        var (text, finish, calls) = await StreamAsync(chat, history, options);
        var sent = UpstreamBody("loop-stream: weather in Paris?");
        Assert.Multiple(() =>
        {
            Assert.That(finish, Is.EqualTo(ChatFinishReason.ToolCalls));
            Assert.That(text, Is.Empty);
            Assert.That(calls, Has.Count.EqualTo(1));
            Assert.That(calls[0].Id, Is.EqualTo(FakeUpstream.ToolCallId));
            Assert.That(calls[0].Name, Is.EqualTo("get_weather"));
            Assert.That(calls[0].Arguments, Is.EqualTo(FakeUpstream.ToolCallArguments));
            Assert.That(sent.GetProperty("stream").ValueKind, Is.EqualTo(JsonValueKind.True));
            Assert.That(sent.GetProperty("tools")[0].GetProperty("function").GetProperty("name").GetString(), Is.EqualTo("get_weather"));
            Assert.That(sent.GetProperty("tool_choice").GetProperty("type").GetString(), Is.EqualTo("function"));
            Assert.That(sent.GetProperty("tool_choice").GetProperty("function").GetProperty("name").GetString(), Is.EqualTo("get_weather"));
        });

        history.Add(new AssistantChatMessage([ChatToolCall.CreateFunctionToolCall(calls[0].Id, calls[0].Name, BinaryData.FromString(calls[0].Arguments))]));
        history.Add(new ToolChatMessage(calls[0].Id, "14 °C"));
        options.ToolChoice = ChatToolChoice.CreateAutoChoice();
        var (answer, secondFinish, secondCalls) = await StreamAsync(chat, history, options);

        Assert.That(secondCalls, Is.Empty);
        AssertSecondStep(answer, secondFinish, UpstreamBody("loop-stream: weather in Paris?"));
    }

    /// <summary>The upstream got the assistant's call and the tool's result in OpenAI's shape; the client got the answer to the result.</summary>
    private void AssertSecondStep(string answer, ChatFinishReason? finish, JsonElement sent)
    {
        var messages = sent.GetProperty("messages");
        Assert.Multiple(() =>
        {
            Assert.That(answer, Is.EqualTo(_upstream.AnswerTo("14 °C")));
            Assert.That(finish, Is.EqualTo(ChatFinishReason.Stop));
            Assert.That(messages.GetArrayLength(), Is.EqualTo(3));
            Assert.That(messages[1].GetProperty("role").GetString(), Is.EqualTo("assistant"));
            var call = messages[1].GetProperty("tool_calls")[0];
            Assert.That(call.GetProperty("id").GetString(), Is.EqualTo(FakeUpstream.ToolCallId));
            Assert.That(call.GetProperty("type").GetString(), Is.EqualTo("function"));
            Assert.That(call.GetProperty("function").GetProperty("name").GetString(), Is.EqualTo("get_weather"));
            Assert.That(JsonDocument.Parse(call.GetProperty("function").GetProperty("arguments").GetString()!).RootElement.GetProperty("location").GetString(), Is.EqualTo("Paris, France"));
            Assert.That(messages[2].GetProperty("role").GetString(), Is.EqualTo("tool"));
            Assert.That(messages[2].GetProperty("tool_call_id").GetString(), Is.EqualTo(FakeUpstream.ToolCallId));
            Assert.That(messages[2].GetProperty("content").GetString(), Is.EqualTo("14 °C"));
        });
    }

    private static async Task<(string Text, ChatFinishReason? Finish, List<(string Id, string Name, string Arguments)> Calls)> StreamAsync(ChatClient chat, List<ChatMessage> history, ChatCompletionOptions options)
    {
        var text = new StringBuilder();
        ChatFinishReason? finish = null;
        var ids = new Dictionary<int, string>();
        var names = new Dictionary<int, string>();
        var arguments = new Dictionary<int, StringBuilder>();
        await foreach (var update in chat.CompleteChatStreamingAsync(history, options))
        {
            foreach (var part in update.ContentUpdate)
            {
                text.Append(part.Text);
            }

            foreach (var call in update.ToolCallUpdates)
            {
                if (call.ToolCallId is not null)
                {
                    ids[call.Index] = call.ToolCallId;
                }

                if (call.FunctionName is not null)
                {
                    names[call.Index] = call.FunctionName;
                }

                if (call.FunctionArgumentsUpdate is { } piece && !piece.IsEmpty)
                {
                    (arguments.TryGetValue(call.Index, out var b) ? b : arguments[call.Index] = new StringBuilder()).Append(piece.ToString());
                }
            }

            finish = update.FinishReason ?? finish;
        }

        return (text.ToString(), finish, [.. ids.Keys.Order().Select(i => (ids[i], names.GetValueOrDefault(i, ""), arguments.GetValueOrDefault(i)?.ToString() ?? ""))]);
    }

    [Test]
    public async Task JsonSchemaResponseFormat_PassesThrough()
    {
        var options = new ChatCompletionOptions
        {
            ResponseFormat = ChatResponseFormat.CreateJsonSchemaFormat("weather", BinaryData.FromString(Schema), "A location."),
        };

        ChatCompletion answer = await _gateway.Chat("p").CompleteChatAsync([new UserChatMessage("format")], options);

        var format = UpstreamBody("format").GetProperty("response_format");
        Assert.Multiple(() =>
        {
            Assert.That(answer.Content[0].Text, Is.EqualTo(_upstream.AnswerTo("format")));
            Assert.That(format.GetProperty("type").GetString(), Is.EqualTo("json_schema"));
            Assert.That(format.GetProperty("json_schema").GetProperty("name").GetString(), Is.EqualTo("weather"));
            Assert.That(format.GetProperty("json_schema").GetProperty("description").GetString(), Is.EqualTo("A location."));
            Assert.That(JsonElement.DeepEquals(format.GetProperty("json_schema").GetProperty("schema"), JsonDocument.Parse(Schema).RootElement), Is.True, format.ToString());
        });
    }

    [Test]
    public async Task JsonObjectResponseFormat_PassesThrough()
    {
        var options = new ChatCompletionOptions { ResponseFormat = ChatResponseFormat.CreateJsonObjectFormat() };

        await _gateway.Chat("p").CompleteChatAsync([new UserChatMessage("json-object")], options);

        Assert.That(UpstreamBody("json-object").GetProperty("response_format").GetProperty("type").GetString(), Is.EqualTo("json_object"));
    }

    [Test]
    public void Sdk_ToolsOnAProfileWithoutToolSupport_Get400NamingTools()
    {
        var sentBefore = _upstream.Requests.Count;
        var options = new ChatCompletionOptions();
        options.Tools.Add(Weather());

        var e = Assert.ThrowsAsync<ClientResultException>(() => _gateway.Chat("m").CompleteChatAsync([new UserChatMessage("weather?")], options));

        Assert.Multiple(() =>
        {
            Assert.That(e!.Status, Is.EqualTo(400));
            Assert.That(e.Message, Does.Contain("'tools' is not supported by model 'm'"));
            Assert.That(_upstream.Requests, Has.Count.EqualTo(sentBefore), "nothing was sent upstream");
        });
    }

    [TestCase("m", """{"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object"}}}]}""", "tools", "'tools' is not supported by model 'm'")]
    [TestCase("m", """{"tool_choice":"none"}""", "tool_choice", "'tool_choice' is not supported by model 'm'")]
    [TestCase("m", """{"tool_choice":"auto"}""", "tool_choice", "'tool_choice' is not supported by model 'm'")]
    [TestCase("m", """{"parallel_tool_calls":false}""", "parallel_tool_calls", "'parallel_tool_calls' is not supported by model 'm'")]
    [TestCase("m", """{"response_format":{"type":"json_object"}}""", "response_format", "'response_format' is not supported by model 'm'")]
    [TestCase("m", """{"messages":[{"role":"user","content":"w?"},{"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"f","arguments":"{}"}}]},{"role":"tool","tool_call_id":"call_1","content":"sunny"}]}""", "messages", "Tool messages")]
    [TestCase("p", """{"functions":[{"name":"f","parameters":{"type":"object"}}]}""", "functions", "use 'tools'")]
    [TestCase("p", """{"function_call":"auto"}""", "function_call", "use 'tools'")]
    [TestCase("p", """{"messages":[{"role":"user","content":"w?"},{"role":"function","name":"f","content":"sunny"}]}""", "messages", "use 'tools'")]
    [TestCase("p", """{"tools":[{"type":"custom","custom":{"name":"f"}}]}""", "tools", "only 'function' tools")]
    [TestCase("p", """{"tools":[{"type":"function","function":{"name":"f","strict":true,"parameters":{"type":"object"}}}]}""", "tools", "'strict: true'")]
    [TestCase("p", """{"tool_choice":{"type":"allowed_tools"}}""", "tool_choice", "'tool_choice' must be")]
    [TestCase("p", """{"response_format":{"type":"json_schema","json_schema":{"name":"x"}}}""", "response_format", "needs 'json_schema'")]
    [TestCase("p", """{"messages":[{"role":"tool","content":"sunny"}]}""", "messages", "'tool_call_id'")]
    public async Task ToolParameterThatCannotPass_Gets400NamingIt(string model, string extra, string param, string message)
    {
        var sentBefore = _upstream.Requests.Count;
        using var extraJson = JsonDocument.Parse(extra);
        var body = new Dictionary<string, JsonElement> { ["model"] = JsonDocument.Parse($"\"{model}\"").RootElement, ["messages"] = JsonDocument.Parse("""[{"role":"user","content":"hi"}]""").RootElement };
        foreach (var property in extraJson.RootElement.EnumerateObject())
        {
            body[property.Name] = property.Value;
        }

        using var response = await _gateway.Http().PostAsync("v1/chat/completions", TestGateway.Json(JsonSerializer.Serialize(body)));
        var text = await response.Content.ReadAsStringAsync();
        using var json = JsonDocument.Parse(text);

        var error = json.RootElement.GetProperty("error");
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), text);
            Assert.That(error.GetProperty("param").GetString(), Is.EqualTo(param));
            Assert.That(error.GetProperty("type").GetString(), Is.EqualTo("invalid_request_error"));
            Assert.That(error.GetProperty("message").GetString(), Does.Contain(message));
            Assert.That(_upstream.Requests, Has.Count.EqualTo(sentBefore), "nothing was sent upstream");
        });
    }

    [Test]
    public async Task FallbackWithoutToolSupport_IsSkipped()
    {
        var options = new ChatCompletionOptions();
        options.Tools.Add(Weather());

        ChatCompletion answer = await _gateway.Chat("f").CompleteChatAsync([new UserChatMessage("fallback: weather?")], options);

        Assert.Multiple(() =>
        {
            Assert.That(answer.ToolCalls.Select(c => c.Id), Is.EqualTo(new[] { FakeUpstream.ToolCallId }), "answered by 'q', the fallback after 'm'");
            Assert.That(_upstream.Requests.Count(r => r.Body.GetProperty("messages")[0].GetProperty("content").GetString() == "fallback: weather?"), Is.EqualTo(2), "'f' failed, 'm' was skipped, 'q' answered");
        });
    }

    [Test]
    public async Task WholeAnswerWithToolCalls_IsOpenAiShape()
    {
        using var response = await _gateway.Http().PostAsync("v1/chat/completions", TestGateway.Json(
            """{"model":"p","messages":[{"role":"user","content":"raw"}],"tools":[{"type":"function","function":{"name":"get_weather"}}]}"""));
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        var choice = json.RootElement.GetProperty("choices")[0];
        var call = choice.GetProperty("message").GetProperty("tool_calls")[0];
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(choice.GetProperty("finish_reason").GetString(), Is.EqualTo("tool_calls"));
            Assert.That(choice.GetProperty("message").GetProperty("content").ValueKind, Is.EqualTo(JsonValueKind.Null));
            Assert.That(call.GetProperty("id").GetString(), Is.EqualTo(FakeUpstream.ToolCallId));
            Assert.That(call.GetProperty("type").GetString(), Is.EqualTo("function"));
            Assert.That(call.GetProperty("function").GetProperty("name").GetString(), Is.EqualTo("get_weather"));
            Assert.That(call.GetProperty("function").GetProperty("arguments").GetString(), Is.EqualTo(FakeUpstream.ToolCallArguments));
            var parameters = UpstreamBody("raw").GetProperty("tools")[0].GetProperty("function").GetProperty("parameters");
            Assert.That(parameters.GetProperty("type").GetString(), Is.EqualTo("object"), "a function without parameters takes none, as OpenAI defines");
        });
    }
}
