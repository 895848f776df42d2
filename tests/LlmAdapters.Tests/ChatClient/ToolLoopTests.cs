using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using LlmAdapters.Testing;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace LlmAdapters.Tests.ChatClient;

/// <summary>
/// Microsoft.Extensions.AI's function invocation over each shipped tool-capable adapter: a loopback Kestrel fake that speaks
/// the vendor's wire format asks for a tool, the function runs, its result goes back in the vendor's shape, the model answers.
/// </summary>
public class ToolLoopTests
{
    /// <summary>One vendor: its adapter, the two streamed answers (a tool call, then text) and where its requests put tools and results.</summary>
    public sealed record Vendor(
        string Adapter,
        string BaseUrl,
        string ContentType,
        string ToolCallAnswer,
        string TextAnswer,
        Func<JsonNode, string?> ToolNameSent,
        Func<JsonNode, JsonNode?> ResultSent)
    {
        public override string ToString() => Adapter;
    }

    private const string Answer = "Paris: 14°C, sunny.";

    public static IEnumerable<Vendor> Vendors()
    {
        yield return new Vendor(
            "openai", "/v1", "text/event-stream",
            """
            data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1743940000,"model":"gpt-4.1","choices":[{"index":0,"delta":{"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"call_w1","type":"function","function":{"name":"get_weather","arguments":""}}]},"finish_reason":null}]}

            data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1743940000,"model":"gpt-4.1","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"city\":"}}]},"finish_reason":null}]}

            data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1743940000,"model":"gpt-4.1","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\"Paris\"}"}}]},"finish_reason":null}]}

            data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1743940000,"model":"gpt-4.1","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}

            data: [DONE]


            """,
            """
            data: {"id":"chatcmpl-2","object":"chat.completion.chunk","created":1743940001,"model":"gpt-4.1","choices":[{"index":0,"delta":{"role":"assistant","content":"Paris: 14°C,"},"finish_reason":null}]}

            data: {"id":"chatcmpl-2","object":"chat.completion.chunk","created":1743940001,"model":"gpt-4.1","choices":[{"index":0,"delta":{"content":" sunny."},"finish_reason":"stop"}]}

            data: [DONE]


            """,
            body => body["tools"]?[0]?["function"]?["name"]?.GetValue<string>(),
            body => body["messages"]!.AsArray().Last(m => m!["role"]!.GetValue<string>() == "tool"));

        yield return new Vendor(
            "anthropic", "", "text/event-stream",
            """
            event: message_start
            data: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-20250514","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":50,"output_tokens":1}}}

            event: content_block_start
            data: {"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"toolu_w1","name":"get_weather","input":{}}}

            event: content_block_delta
            data: {"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{\"city\": \"Pa"}}

            event: content_block_delta
            data: {"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"ris\"}"}}

            event: content_block_stop
            data: {"type":"content_block_stop","index":0}

            event: message_delta
            data: {"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":20}}

            event: message_stop
            data: {"type":"message_stop"}


            """,
            """
            event: message_start
            data: {"type":"message_start","message":{"id":"msg_2","type":"message","role":"assistant","model":"claude-sonnet-4-20250514","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":80,"output_tokens":1}}}

            event: content_block_start
            data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

            event: content_block_delta
            data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Paris: 14°C, sunny."}}

            event: content_block_stop
            data: {"type":"content_block_stop","index":0}

            event: message_delta
            data: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":8}}

            event: message_stop
            data: {"type":"message_stop"}


            """,
            body => body["tools"]?[0]?["name"]?.GetValue<string>(),
            body => body["messages"]!.AsArray().Last()!["content"]![0]);

        yield return new Vendor(
            "gemini", "", "text/event-stream",
            "data: {\"candidates\":[{\"content\":{\"parts\":[{\"functionCall\":{\"name\":\"get_weather\",\"args\":{\"city\":\"Paris\"}}}],\"role\":\"model\"},\"finishReason\":\"STOP\",\"index\":0}],\"modelVersion\":\"gemini-2.5-flash\"}\r\n\r\n",
            "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"Paris: 14°C,\"}],\"role\":\"model\"},\"index\":0}],\"modelVersion\":\"gemini-2.5-flash\"}\r\n\r\n"
            + "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\" sunny.\"}],\"role\":\"model\"},\"finishReason\":\"STOP\",\"index\":0}],\"modelVersion\":\"gemini-2.5-flash\"}\r\n\r\n",
            body => body["tools"]?[0]?["functionDeclarations"]?[0]?["name"]?.GetValue<string>(),
            body => body["contents"]!.AsArray().Last()!["parts"]![0]);

        yield return new Vendor(
            "ollama", "", "application/x-ndjson",
            """
            {"model":"llama3.2","created_at":"2025-07-07T20:22:19.184789Z","message":{"role":"assistant","content":"","tool_calls":[{"function":{"name":"get_weather","arguments":{"city":"Paris"}}}]},"done":false}
            {"model":"llama3.2","created_at":"2025-07-07T20:22:19.19314Z","message":{"role":"assistant","content":""},"done_reason":"stop","done":true,"prompt_eval_count":160,"eval_count":19}

            """,
            """
            {"model":"llama3.2","created_at":"2025-07-07T20:22:20.1Z","message":{"role":"assistant","content":"Paris: 14°C,"},"done":false}
            {"model":"llama3.2","created_at":"2025-07-07T20:22:20.2Z","message":{"role":"assistant","content":" sunny."},"done":false}
            {"model":"llama3.2","created_at":"2025-07-07T20:22:20.3Z","message":{"role":"assistant","content":""},"done_reason":"stop","done":true,"prompt_eval_count":190,"eval_count":8}

            """,
            body => body["tools"]?[0]?["function"]?["name"]?.GetValue<string>(),
            body => body["messages"]!.AsArray().Last());

        yield return new Vendor(
            "cohere", "", "text/event-stream",
            """
            event: message-start
            data: {"id":"c1","type":"message-start","delta":{"message":{"role":"assistant","content":[],"tool_plan":"","tool_calls":[],"citations":[]}}}

            event: tool-call-start
            data: {"type":"tool-call-start","index":0,"delta":{"message":{"tool_calls":{"id":"get_weather_w1","type":"function","function":{"name":"get_weather","arguments":""}}}}}

            event: tool-call-delta
            data: {"type":"tool-call-delta","index":0,"delta":{"message":{"tool_calls":{"function":{"arguments":"{\n    \"city\""}}}}}

            event: tool-call-delta
            data: {"type":"tool-call-delta","index":0,"delta":{"message":{"tool_calls":{"function":{"arguments":": \"Paris\"\n}"}}}}}

            event: tool-call-end
            data: {"type":"tool-call-end","index":0}

            event: message-end
            data: {"type":"message-end","delta":{"finish_reason":"TOOL_CALL","usage":{"billed_units":{"input_tokens":37,"output_tokens":19},"tokens":{"input_tokens":910,"output_tokens":50}}}}


            """,
            """
            event: message-start
            data: {"id":"c2","type":"message-start","delta":{"message":{"role":"assistant","content":[],"tool_plan":"","tool_calls":[],"citations":[]}}}

            event: content-start
            data: {"type":"content-start","index":0,"delta":{"message":{"content":{"type":"text","text":""}}}}

            event: content-delta
            data: {"type":"content-delta","index":0,"delta":{"message":{"content":{"text":"Paris: 14°C, sunny."}}}}

            event: content-end
            data: {"type":"content-end","index":0}

            event: message-end
            data: {"type":"message-end","delta":{"finish_reason":"COMPLETE","usage":{"billed_units":{"input_tokens":60,"output_tokens":8},"tokens":{"input_tokens":950,"output_tokens":8}}}}


            """,
            body => body["tools"]?[0]?["function"]?["name"]?.GetValue<string>(),
            body => body["messages"]!.AsArray().Last());
    }

    /// <summary>DashScope's native API (incremental SSE) and MiniMax's ChatCompletion v2 (sync), in the shapes of their conformance fixtures.</summary>
    public static IEnumerable<Vendor> MoreVendors()
    {
        yield return new Vendor(
            "dashscope", "", "text/event-stream",
            "id:1\nevent:result\n:HTTP_STATUS/200\ndata:{\"output\":{\"choices\":[{\"message\":{\"content\":\"\",\"tool_calls\":[{\"index\":0,\"id\":\"call_d1\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":\"{\\\"city\\\": \\\"\"}}],\"role\":\"assistant\"},\"index\":0,\"finish_reason\":\"null\"}]},\"usage\":{\"total_tokens\":266,\"output_tokens\":16,\"input_tokens\":250},\"request_id\":\"r1\"}\n\n"
            + "id:2\nevent:result\n:HTTP_STATUS/200\ndata:{\"output\":{\"choices\":[{\"message\":{\"content\":\"\",\"tool_calls\":[{\"index\":0,\"id\":\"\",\"type\":\"function\",\"function\":{\"arguments\":\"Paris\\\"}\"}}],\"role\":\"assistant\"},\"index\":0,\"finish_reason\":\"tool_calls\"}]},\"usage\":{\"total_tokens\":272,\"output_tokens\":22,\"input_tokens\":250},\"request_id\":\"r1\"}\n\n",
            "id:1\nevent:result\n:HTTP_STATUS/200\ndata:{\"output\":{\"choices\":[{\"message\":{\"content\":\"Paris: 14°C,\",\"role\":\"assistant\"},\"index\":0,\"finish_reason\":\"null\"}]},\"usage\":{\"total_tokens\":300,\"output_tokens\":4,\"input_tokens\":296},\"request_id\":\"r2\"}\n\n"
            + "id:2\nevent:result\n:HTTP_STATUS/200\ndata:{\"output\":{\"choices\":[{\"message\":{\"content\":\" sunny.\",\"role\":\"assistant\"},\"index\":0,\"finish_reason\":\"stop\"}]},\"usage\":{\"total_tokens\":302,\"output_tokens\":6,\"input_tokens\":296},\"request_id\":\"r2\"}\n\n",
            body => body["parameters"]?["tools"]?[0]?["function"]?["name"]?.GetValue<string>(),
            body => body["input"]!["messages"]!.AsArray().Last());

        yield return new Vendor(
            "minimax", "", "application/json",
            """{"id":"04ecb5d9","choices":[{"finish_reason":"tool_calls","index":0,"message":{"content":"","role":"assistant","name":"MiniMax AI","tool_calls":[{"id":"call_function_w1","type":"function","function":{"name":"get_weather","arguments":"{\"city\": \"Paris\"}"}}]}}],"created":1735689600,"model":"MiniMax-Text-01","object":"chat.completion","usage":{"total_tokens":222,"prompt_tokens":201,"completion_tokens":21},"base_resp":{"status_code":0,"status_msg":""}}""",
            """{"id":"04ecb5da","choices":[{"finish_reason":"stop","index":0,"message":{"content":"Paris: 14°C, sunny.","role":"assistant","name":"MiniMax AI"}}],"created":1735689601,"model":"MiniMax-Text-01","object":"chat.completion","usage":{"total_tokens":240,"prompt_tokens":230,"completion_tokens":10},"base_resp":{"status_code":0,"status_msg":""}}""",
            body => body["tools"]?[0]?["function"]?["name"]?.GetValue<string>(),
            body => body["messages"]!.AsArray().Last(m => m!["role"]!.GetValue<string>() == "tool"));
    }

    private static IEnumerable<Vendor> AllVendors() => Vendors().Concat(MoreVendors());

    /// <summary>A fake vendor: the first request is answered with a tool call, the others with text; every body is kept.</summary>
    private sealed class FakeVendor(Vendor vendor)
    {
        public List<JsonNode> Bodies { get; } = [];

        public async Task HandleAsync(HttpContext context)
        {
            using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
            var body = JsonNode.Parse(await reader.ReadToEndAsync())!;
            int turn;
            lock (Bodies)
            {
                Bodies.Add(body);
                turn = Bodies.Count;
            }

            context.Response.ContentType = vendor.ContentType;
            var answer = turn == 1 ? vendor.ToolCallAnswer : vendor.TextAnswer;
            await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(answer.ReplaceLineEndings("\n")));
        }
    }

    private static ILlmClient Client(Vendor vendor, LoopbackHost host) => LlmCatalog.BuiltIn.CreateClient(
        new LlmProfile
        {
            Adapter = vendor.Adapter,
            BaseUrl = host.BaseUrl + vendor.BaseUrl,
            Variables = { ["apikey"] = "sk-fake-tools", ["model"] = vendor.Adapter == "ollama" ? "llama3.2" : "m1" },
        },
        new HttpClient());

    private static (AIFunction Function, List<string> Cities) Weather()
    {
        var cities = new List<string>();
        var function = AIFunctionFactory.Create(
            (string city) =>
            {
                lock (cities)
                {
                    cities.Add(city);
                }

                return $"14°C and sunny in {city}";
            },
            "get_weather",
            "Gets the weather in a city.");
        return (function, cities);
    }

    [TestCaseSource(nameof(AllVendors))]
    public async Task UseFunctionInvocation_RunsATwoStepToolLoop(Vendor vendor)
    {
        var fake = new FakeVendor(vendor);
        await using var host = await LoopbackHost.StartAsync(fake.HandleAsync);
        var (weather, cities) = Weather();
        using var chat = new ChatClientBuilder(Client(vendor, host).AsIChatClient()).UseFunctionInvocation().Build();

        var response = await chat.GetResponseAsync("What is the weather in Paris?", new ChatOptions { Tools = [weather] });

        Assert.That(response.Text, Is.EqualTo(Answer));
        Assert.That(cities, Is.EqualTo(new[] { "Paris" }), "the function ran once, with the model's arguments");
        Assert.That(fake.Bodies, Has.Count.EqualTo(2), "one request for the tool call, one with its result");
        Assert.That(vendor.ToolNameSent(fake.Bodies[0]), Is.EqualTo("get_weather"), "the first request declares the tool in the vendor's shape");
        Assert.That(vendor.ToolNameSent(fake.Bodies[1]), Is.EqualTo("get_weather"), "the second request declares it too");
        var result = vendor.ResultSent(fake.Bodies[1])!.ToJsonString();
        Assert.That(result, Does.Contain("14°C and sunny in Paris").Or.Contain("14\\u00B0C and sunny in Paris"), $"the result goes back in the vendor's shape: {result}");
        AssertResultShape(vendor.Adapter, vendor.ResultSent(fake.Bodies[1])!);
    }

    /// <summary>The result message or part, in the vendor's own shape, pointing at the call it answers.</summary>
    private static void AssertResultShape(string adapter, JsonNode result)
    {
        switch (adapter)
        {
            case "openai":
                Assert.That(result["tool_call_id"]!.GetValue<string>(), Is.EqualTo("call_w1"));
                break;
            case "anthropic":
                Assert.That(result["type"]!.GetValue<string>(), Is.EqualTo("tool_result"));
                Assert.That(result["tool_use_id"]!.GetValue<string>(), Is.EqualTo("toolu_w1"));
                break;
            case "gemini":
                Assert.That(result["functionResponse"]!["name"]!.GetValue<string>(), Is.EqualTo("get_weather"));
                break;
            case "ollama":
                Assert.That(result["role"]!.GetValue<string>(), Is.EqualTo("tool"));
                Assert.That(result["tool_name"]!.GetValue<string>(), Is.EqualTo("get_weather"));
                break;
            case "cohere":
                Assert.That(result["role"]!.GetValue<string>(), Is.EqualTo("tool"));
                Assert.That(result["tool_call_id"]!.GetValue<string>(), Is.EqualTo("get_weather_w1"));
                break;
            case "dashscope":
                Assert.That(result["role"]!.GetValue<string>(), Is.EqualTo("tool"));
                Assert.That(result["tool_call_id"]!.GetValue<string>(), Is.EqualTo("call_d1"));
                break;
            case "minimax":
                Assert.That(result["tool_call_id"]!.GetValue<string>(), Is.EqualTo("call_function_w1"));
                break;
            default:
                Assert.Fail($"no expected shape for {adapter}");
                break;
        }
    }

    [TestCaseSource(nameof(AllVendors))]
    public async Task UseFunctionInvocation_Streaming_CarriesTheCallWhole(Vendor vendor)
    {
        var fake = new FakeVendor(vendor);
        await using var host = await LoopbackHost.StartAsync(fake.HandleAsync);
        var (weather, cities) = Weather();
        using var chat = new ChatClientBuilder(Client(vendor, host).AsIChatClient()).UseFunctionInvocation().Build();

        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in chat.GetStreamingResponseAsync("What is the weather in Paris?", new ChatOptions { Tools = [weather] }))
        {
            updates.Add(update);
        }

        var calls = updates.SelectMany(u => u.Contents.OfType<FunctionCallContent>()).ToList();
        Assert.That(calls, Has.Count.EqualTo(1), "one call, whole, in one update");
        Assert.That(calls[0].Name, Is.EqualTo("get_weather"));
        Assert.That(calls[0].Arguments!["city"]?.ToString(), Is.EqualTo("Paris"));
        Assert.That(cities, Is.EqualTo(new[] { "Paris" }));
        Assert.That(string.Concat(updates.Select(u => u.Text)), Is.EqualTo(Answer));
    }

    [Test]
    public async Task GetResponseAsyncOfT_AsksForAJsonSchema_AndReadsTheAnswer()
    {
        var fake = new FakeVendor(new Vendor("openai", "/v1", "application/json",
            """{"id":"c1","object":"chat.completion","model":"gpt-4.1","choices":[{"index":0,"message":{"role":"assistant","content":"{\"city\":\"Paris\",\"celsius\":14}"},"finish_reason":"stop"}]}""",
            string.Empty, _ => null, _ => null));
        await using var host = await LoopbackHost.StartAsync(fake.HandleAsync);
        using var chat = Client(new Vendor("openai", "/v1", "", "", "", _ => null, _ => null), host).AsIChatClient("chat_sync");

        var response = await chat.GetResponseAsync<WeatherReport>("Weather in Paris as JSON");

        Assert.That(response.Result, Is.EqualTo(new WeatherReport("Paris", 14)));
        var format = fake.Bodies[0]["response_format"]!;
        Assert.That(format["type"]!.GetValue<string>(), Is.EqualTo("json_schema"));
        Assert.That(format["json_schema"]!["schema"]!["properties"]!["celsius"], Is.Not.Null, "the schema of WeatherReport is sent");
    }

    public sealed record WeatherReport(string City, int Celsius);

    [Test]
    public async Task UseDistributedCacheAndUseOpenTelemetry_WorkOverTheClient()
    {
        var vendor = Vendors().First(v => v.Adapter == "openai");
        var fake = new FakeVendor(vendor with { ToolCallAnswer = vendor.TextAnswer });
        await using var host = await LoopbackHost.StartAsync(fake.HandleAsync);
        var activities = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "tools-test",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                lock (activities)
                {
                    activities.Add(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        IDistributedCache cache = new MemoryDistributedCache(Options.Create(new MemoryDistributedCacheOptions()));
        using var chat = new ChatClientBuilder(Client(vendor, host).AsIChatClient())
            .UseDistributedCache(cache)
            .UseOpenTelemetry(sourceName: "tools-test")
            .Build();

        var first = await chat.GetResponseAsync("Weather in Paris?");
        var second = await chat.GetResponseAsync("Weather in Paris?");

        Assert.That(first.Text, Is.EqualTo(Answer));
        Assert.That(second.Text, Is.EqualTo(Answer), "the cached answer");
        Assert.That(fake.Bodies, Has.Count.EqualTo(1), "the second answer came from the cache");
        Assert.That(activities.Select(a => a.GetTagItem("gen_ai.provider.name") ?? a.GetTagItem("gen_ai.system")), Has.Some.EqualTo("openai"), "the span names the adapter as provider");
    }
}
