using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using LlmAdapters.Benchmarks.Support;

namespace LlmAdapters.Benchmarks.Micro;

/// <summary>
/// An OpenAI stream of two parallel tool calls whose arguments arrive in many <c>function.arguments</c> fragments,
/// parsed from memory (no network): a hand-written accumulator (SSE lines, one JsonDocument per chunk, a StringBuilder
/// per call index, the joined arguments parsed at the end) against LlmAdapters' <c>CallAsync</c> and
/// <c>StreamUpdatesAsync</c> over the shipped openai adapter. Each returns the total length of the arguments it built.
/// </summary>
[MemoryDiagnoser]
public class ToolCallStreamingBenchmarks
{
    private const int FragmentsPerCall = 200;

    private HttpClient _hand = null!;
    private ILlmClient _client = null!;
    private LlmRequest _request = null!;
    private int _expected;

    [GlobalSetup]
    public void Setup()
    {
        var body = Encoding.UTF8.GetBytes(Body(out _expected));
        _hand = new HttpClient(new CannedHandler(body, "text/event-stream")) { BaseAddress = new Uri("http://127.0.0.1:1/v1/") };
        _client = LlmCatalog.BuiltIn.CreateClient(
            new LlmProfile { Adapter = "openai", BaseUrl = "http://127.0.0.1:1/v1", Variables = { ["apikey"] = "k", ["model"] = "m" } },
            new HttpClient(new CannedHandler(body, "text/event-stream")));
        var schema = JsonDocument.Parse("""{"type":"object","properties":{"city":{"type":"string"}}}""").RootElement.Clone();
        _request = new LlmRequest { Prompt = "Weather in two cities?", Tools = [new LlmTool("get_weather", "Weather in a city.", schema)] };

        // Both must build the same calls, or the comparison means nothing.
        Check("hand-written", HandWrittenAsync().GetAwaiter().GetResult());
        Check("CallAsync", CallAsync().GetAwaiter().GetResult());
        Check("StreamUpdatesAsync", StreamUpdatesAsync().GetAwaiter().GetResult());
        Console.WriteLine($"// ToolCallStreaming: 2 calls x {FragmentsPerCall} argument fragments, {body.Length} bytes; all three verified");
    }

    private void Check(string who, int length)
    {
        if (length != _expected)
        {
            throw new InvalidOperationException($"{who} built {length} characters of arguments, not {_expected}");
        }
    }

    /// <summary>Two calls, index 0 then index 1, each an opening fragment with id and name, then the arguments in pieces.</summary>
    private static string Body(out int argumentsLength)
    {
        var sb = new StringBuilder();
        argumentsLength = 0;
        for (var index = 0; index < 2; index++)
        {
            Chunk(sb, $$$"""{"index":{{{index}}},"id":"call_{{{index}}}","type":"function","function":{"name":"get_weather","arguments":""}}""");
            var arguments = new StringBuilder("{\"city\":\"");
            for (var i = 0; i < FragmentsPerCall - 2; i++)
            {
                arguments.Append("Pa ris 巴黎 "[(i % 10)..((i % 10) + 1)]);
            }

            arguments.Append("\"}");
            var text = arguments.ToString();
            argumentsLength += JsonDocument.Parse(text).RootElement.GetRawText().Length;
            var step = Math.Max(1, text.Length / FragmentsPerCall);
            for (var at = 0; at < text.Length; at += step)
            {
                var piece = JsonSerializer.Serialize(text.Substring(at, Math.Min(step, text.Length - at)));
                Chunk(sb, $$$"""{"index":{{{index}}},"function":{"arguments":{{{piece}}}}}""");
            }
        }

        sb.Append("data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_calls\"}]}\n\n");
        sb.Append("data: [DONE]\n\n");
        return sb.ToString();

        static void Chunk(StringBuilder sb, string toolCall)
            => sb.Append("data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[").Append(toolCall).Append("]},\"finish_reason\":null}]}\n\n");
    }

    [Benchmark(Baseline = true, Description = "hand-written (JsonDocument per chunk)")]
    public async Task<int> HandWrittenAsync()
    {
        using var response = await _hand.PostAsync("chat/completions", new StringContent("{}"), CancellationToken.None).ConfigureAwait(false);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync().ConfigureAwait(false), Encoding.UTF8);
        var calls = new SortedDictionary<int, (string? Id, string? Name, StringBuilder Arguments)>();
        while (await reader.ReadLineAsync().ConfigureAwait(false) is { } line)
        {
            if (!line.StartsWith("data: ", StringComparison.Ordinal))
            {
                continue;
            }

            var data = line.AsMemory(6);
            if (data.Span.SequenceEqual("[DONE]"))
            {
                break;
            }

            using var chunk = JsonDocument.Parse(data);
            if (!chunk.RootElement.GetProperty("choices")[0].GetProperty("delta").TryGetProperty("tool_calls", out var fragments))
            {
                continue;
            }

            foreach (var fragment in fragments.EnumerateArray())
            {
                var index = fragment.GetProperty("index").GetInt32();
                if (!calls.TryGetValue(index, out var call))
                {
                    call = (null, null, new StringBuilder());
                }

                var function = fragment.GetProperty("function");
                call.Id ??= fragment.TryGetProperty("id", out var id) ? id.GetString() : null;
                call.Name ??= function.TryGetProperty("name", out var name) ? name.GetString() : null;
                call.Arguments.Append(function.GetProperty("arguments").GetString());
                calls[index] = call;
            }
        }

        var length = 0;
        foreach (var (_, call) in calls)
        {
            using var arguments = JsonDocument.Parse(call.Arguments.ToString()); // a call cut short must fail here too
            length += arguments.RootElement.GetRawText().Length;
        }

        return length;
    }

    [Benchmark(Description = "LlmAdapters CallAsync")]
    public async Task<int> CallAsync()
    {
        var response = await _client.CallAsync(_request).ConfigureAwait(false);
        return response.ToolCalls.Sum(c => c.Arguments.Length);
    }

    [Benchmark(Description = "LlmAdapters StreamUpdatesAsync")]
    public async Task<int> StreamUpdatesAsync()
    {
        var length = 0;
        await foreach (var update in _client.StreamUpdatesAsync(_request).ConfigureAwait(false))
        {
            length += update.ToolCalls.Sum(c => c.Arguments.Length);
        }

        return length;
    }
}
