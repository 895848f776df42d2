#pragma warning disable CA5394 // deterministic fuzzing needs a seeded Random, not a secure one
using System.Text;
using System.Text.Json;
using LlmAdapters.Execution;
using LlmAdapters.Streaming;
using LlmAdapters.Tests.Fuzzing;
using LlmAdapters.Tests.TestSupport;
using static LlmAdapters.Tests.Fuzzing.StreamFuzzTests;

namespace LlmAdapters.Tests.Streaming;

/// <summary>
/// When a chunk was found from the chunk before and none of the slots of a kind of item changed (the values kept as the
/// chunk gives them, or the joined items' pieces), the decoder skips those items at once where it keeps a chunk's fields
/// and compares its snapshot with the chunk before's (Streaming.SlotChange), instead of asking of each whether it is
/// unchanged. That changes nothing a caller sees: every stream runs with the skip and without, and each update's text,
/// event type, fields, usage, finish reason, tool calls and ToString, and CallAsync's whole response (text, fields,
/// usage, finish reason) or its exception, must be the same. Generated and mutated bodies of every framing and response
/// shape of <see cref="StreamDifferentialTests"/>; the integer walks of <see cref="SnapshotPatchDifferentialTests"/>
/// through the shipped dashscope and gemini adapters; and Anthropic streams through the shipped anthropic adapter, built
/// from the events of the conformance fixtures anthropic/stream-with-thinking and anthropic/stream-tool-use (Anthropic's
/// streaming reference): thinking, text and tool_use blocks in a random order, whose deltas, event types and indexes
/// change or repeat. Deterministic (fixed seed).
/// </summary>
[Category("Fuzzing")]
public class UnchangedKindsDifferentialTests
{
    private const int Seed = 20_261_216;
    private const int CasesPerShape = 60;
    private const int AnthropicCases = 300;

    [Test]
    public async Task Skipping_unchanged_kinds_changes_nothing_over_generated_and_mutated_streams()
    {
        var run = new FuzzRun($"unchanged kinds skipped against every item looked at (seed {Seed})");
        var caseNumber = 0;
        foreach (var shape in StreamDifferentialTests.AllShapes)
        {
            for (var i = 0; i < CasesPerShape; i++, caseNumber++)
            {
                var random = FuzzRun.CaseRandom(Seed, caseNumber);
                var (kind, body, contentType, _) = StreamDifferentialTests.Generate(shape, random, caseNumber);
                var profile = new LlmProfile { Adapter = "t", BaseUrl = "https://vendor.test", MaxStreamLineBytes = StreamFuzzTests.MaxLine };
                await RunCaseAsync(run, $"{shape.Name} {kind}", caseNumber, body, random, shape.Catalog, profile, contentType, "chat");
            }
        }

        foreach (var shape in SnapshotPatchDifferentialTests.Shapes)
        {
            for (var i = 0; i < CasesPerShape; i++, caseNumber++)
            {
                var random = FuzzRun.CaseRandom(Seed, caseNumber);
                var (kind, body) = SnapshotPatchDifferentialTests.Generate(shape, random);
                await RunCaseAsync(run, $"{shape.Name} {kind}", caseNumber, body, random, shape.Catalog, shape.Profile, "text/event-stream", shape.Call);
            }
        }

        var anthropic = new LlmProfile { Adapter = "anthropic", BaseUrl = "https://vendor.test", Variables = { ["apikey"] = "sk-ant", ["model"] = "m" } };
        var events = AnthropicFixtureEvents();
        for (var i = 0; i < AnthropicCases; i++, caseNumber++)
        {
            var random = FuzzRun.CaseRandom(Seed, caseNumber);
            var (kind, body) = AnthropicStream(events, random);
            await RunCaseAsync(run, $"anthropic {kind}", caseNumber, body, random, LlmCatalog.BuiltIn, anthropic, "text/event-stream", "chat");
        }

        run.Report();
        run.AssertNoFailures();
        Assert.That(run.Cases, Is.EqualTo(caseNumber));
    }

    /// <summary>
    /// The differential test reaches the skip: in the shipped adapters' usual chunks (the benchmarks' and the fixtures'
    /// shapes), the decoder knows which kinds did not change.
    /// </summary>
    [TestCase("anthropic", "event: content_block_delta", """{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"%"}}""", "Joined, Set")]
    [TestCase("anthropic", "event: content_block_delta", """{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"%"}}""", "Set")]
    [TestCase("openai", "", """{"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"%"},"finish_reason":null}]}""", "Joined, Set")]
    [TestCase("gemini", "", """{"candidates":[{"content":{"parts":[{"text":"%"}],"role":"model"},"index":0}],"modelVersion":"gemini-2.5-flash","responseId":"r1"}""", "Set")]
    [TestCase("dashscope", "", """{"output":{"choices":[{"message":{"content":"%","role":"assistant"},"finish_reason":"null"}]},"usage":{"total_tokens":2#,"output_tokens":#},"request_id":"r1"}""", "Joined")]
    public void The_usual_chunk_skips_the_kinds_that_did_not_change(string adapter, string eventLine, string chunk, string unchanged)
    {
        var plan = LlmCatalog.BuiltIn.GetAdapter(adapter).Calls["chat"].Stream!;
        using var decoder = new ChunkDecoder(plan, adapter);
        var eventType = Encoding.UTF8.GetBytes(eventLine.Replace("event: ", string.Empty, StringComparison.Ordinal));
        Assert.That(decoder.Decode(Encoding.UTF8.GetBytes(chunk.Replace("%", "a", StringComparison.Ordinal).Replace("#", "1", StringComparison.Ordinal)), eventType), Is.True);
        Assert.That(decoder.UnchangedKinds, Is.EqualTo(SlotChange.None), "the first chunk has no chunk before");
        Assert.That(decoder.Decode(Encoding.UTF8.GetBytes(chunk.Replace("%", "bc", StringComparison.Ordinal).Replace("#", "2", StringComparison.Ordinal)), eventType), Is.True);
        Assert.That(decoder.UnchangedKinds, Is.EqualTo(Enum.Parse<SlotChange>(unchanged)));

        decoder.SkipsUnchangedKinds = false;
        Assert.That(decoder.Decode(Encoding.UTF8.GetBytes(chunk.Replace("%", "d", StringComparison.Ordinal).Replace("#", "3", StringComparison.Ordinal)), eventType), Is.True);
        Assert.That(decoder.UnchangedKinds, Is.EqualTo(SlotChange.None), "with the skip off");
    }

    /// <summary>Runs StreamUpdatesAsync and CallAsync with the skip and without, and records whether the caller saw any difference.</summary>
    private static async Task RunCaseAsync(FuzzRun run, string label, int caseNumber, byte[] body, Random random, LlmCatalog catalog, LlmProfile profile, string contentType, string call)
    {
        var failures = new List<string>();
        foreach (var updates in new[] { true, false })
        {
            var readMode = random.Next(ChunkedStream.Modes);
            var readSeed = random.Next();
            var outcomes = new string[2];
            foreach (var skips in new[] { true, false })
            {
                using var handler = new BodyHandler(new ChunkedStream(body, new Random(readSeed), readMode), contentType);
                var client = catalog.CreateClient(profile, handler);
                ((LlmClient)client).Runner.SkipsUnchangedKinds = skips;
                outcomes[skips ? 0 : 1] = await OutcomeAsync(client, new LlmRequest { Call = call, Prompt = "hi" }, updates);
            }

            if (outcomes[0] != outcomes[1])
            {
                failures.Add($"{(updates ? "StreamUpdatesAsync" : "CallAsync")} (read mode {readMode}): with the skip the caller saw{Environment.NewLine}{outcomes[0]}{Environment.NewLine}but without it{Environment.NewLine}{outcomes[1]}");
            }
        }

        var failure = failures.Count == 0 ? null : $"seed {Seed}, case {caseNumber} ({label}): {string.Join(Environment.NewLine, failures)}{Environment.NewLine}body (base64): {Convert.ToBase64String(body)}";
        run.Record(label, failure is null ? "same for the caller" : "failure", failure, null, $"case {caseNumber}");
    }

    /// <summary>Everything the caller sees, as text: each update (or the response), then how it ended (the exception's type and message).</summary>
    private static async Task<string> OutcomeAsync(ILlmClient client, LlmRequest request, bool updates)
    {
        var seen = new StringBuilder();
        var error = await FuzzRun.RunBoundedAsync(async token =>
        {
            if (updates)
            {
                await foreach (var update in client.StreamUpdatesAsync(request, token))
                {
                    seen.Append("update ").Append(JsonSerializer.Serialize(update.Text))
                        .Append(" event ").Append(update.EventType)
                        .Append(" fields ").Append(Fields(update.Fields))
                        .Append(" usage ").Append(update.Usage is { } u ? $"{u.InputTokens}/{u.OutputTokens}/{u.TotalTokens}" : "none")
                        .Append(" finish ").Append(update.FinishReason)
                        .Append(" calls ").Append(string.Join(",", update.ToolCalls.Select(c => $"{c.Id}:{c.Name}:{c.Arguments}")))
                        .Append(" string ").Append(update)
                        .Append('\n');
                }
            }
            else
            {
                var response = await client.CallAsync(request, token);
                seen.Append("response ").Append(JsonSerializer.Serialize(response.Text))
                    .Append(" fields ").Append(Fields(response.Fields))
                    .Append(" usage ").Append(response.Usage is { } u ? $"{u.InputTokens}/{u.OutputTokens}/{u.TotalTokens}" : "none")
                    .Append(" finish ").Append(response.FinishReason)
                    .Append(" calls ").Append(string.Join(",", response.ToolCalls.Select(c => $"{c.Id}:{c.Name}:{c.Arguments}")))
                    .Append('\n');
            }
        });
        return seen.Append(error is null ? "ended" : $"raised {error.GetType().FullName}: {error.Message}").ToString();
    }

    private static string Fields(IReadOnlyDictionary<string, JsonElement> fields)
        => string.Join(";", fields.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => $"{f.Key}={f.Value.GetRawText()}"));

    /// <summary>The events of the two Anthropic stream fixtures, by their "type" (each kind's instances in order).</summary>
    private static Dictionary<string, List<string>> AnthropicFixtureEvents()
    {
        var fixtures = Path.Combine(TestContext.CurrentContext.TestDirectory, "../../../../LlmAdapters.Conformance.Tests/Fixtures/anthropic");
        var events = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var name in new[] { "stream-with-thinking", "stream-tool-use" })
        {
            var text = File.ReadAllText(Path.Combine(fixtures, name, "response.sse")).Replace("\r\n", "\n", StringComparison.Ordinal);
            foreach (var block in text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var data = block.Split('\n').Single(l => l.StartsWith("data:", StringComparison.Ordinal))["data:".Length..].Trim();
                using var document = JsonDocument.Parse(data);
                var type = document.RootElement.GetProperty("type").GetString()!;
                if (type == "content_block_delta")
                {
                    type += ":" + document.RootElement.GetProperty("delta").GetProperty("type").GetString();
                }
                else if (type == "content_block_start")
                {
                    type += ":" + document.RootElement.GetProperty("content_block").GetProperty("type").GetString();
                }

                (events.TryGetValue(type, out var list) ? list : events[type] = []).Add(data);
            }
        }

        return events;
    }

    private static readonly string[] Pieces = ["你好", "，", " world", "😀!", "\"q\"\n", "\\ {x}", string.Empty, "中文🀄"];

    /// <summary>
    /// A stream as the fixtures' events make one: message_start, then two to five blocks (thinking, text or tool_use, each
    /// a start, some deltas and a stop, at its index), pings between, message_delta and message_stop. A delta's text is
    /// now and then replaced by a random piece, repeated, or (1 in 12) its JSON respaced; the event line is sometimes left
    /// out (the type then comes from the data alone).
    /// </summary>
    private static (string Kind, byte[] Body) AnthropicStream(Dictionary<string, List<string>> events, Random random)
    {
        var body = new StringBuilder();
        var blocks = new List<string>();
        void Event(string data)
        {
            using var document = JsonDocument.Parse(data);
            var type = document.RootElement.GetProperty("type").GetString();
            if (random.Next(12) == 0)
            {
                data = JsonSerializer.Serialize(document.RootElement, Indented).Replace("\n", " ", StringComparison.Ordinal);
            }

            body.Append(random.Next(10) == 0 ? string.Empty : $"event: {type}\n").Append("data: ").Append(data).Append("\n\n");
        }

        string Pick(string type) => events[type][random.Next(events[type].Count)];

        Event(Pick("message_start"));
        var count = random.Next(2, 6);
        for (var index = 0; index < count; index++)
        {
            var kind = random.Next(3) switch { 0 => "thinking", 1 => "text", _ => "tool_use" };
            blocks.Add(kind);
            Event(WithIndex(Pick("content_block_start:" + kind), index));
            var deltas = random.Next(0, 12);
            string? last = null;
            for (var d = 0; d < deltas; d++)
            {
                if (random.Next(8) == 0)
                {
                    Event(Pick("ping"));
                }

                var delta = last is not null && random.Next(4) == 0 ? last : kind switch
                {
                    "thinking" => WithDelta(WithIndex(Pick("content_block_delta:thinking_delta"), index), "thinking", Pieces[random.Next(Pieces.Length)]),
                    "text" => WithDelta(WithIndex(Pick("content_block_delta:text_delta"), index), "text", Pieces[random.Next(Pieces.Length)]),
                    _ => WithIndex(Pick("content_block_delta:input_json_delta"), index),
                };
                Event(delta);
                last = delta;
            }

            if (kind == "thinking" && random.Next(2) == 0)
            {
                Event(WithIndex(Pick("content_block_delta:signature_delta"), index));
            }

            Event(WithIndex(Pick("content_block_stop"), index));
        }

        Event(Pick("message_delta"));
        Event(Pick("message_stop"));
        return ($"{count} blocks ({string.Join(",", blocks)})", Encoding.UTF8.GetBytes(body.ToString()));
    }

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static string WithIndex(string data, int index)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(data)!.AsObject();
        if (node.ContainsKey("index"))
        {
            node["index"] = index;
        }

        return node.ToJsonString(Relaxed);
    }

    private static string WithDelta(string data, string name, string text)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(data)!.AsObject();
        node["delta"]![name] = text;
        return node.ToJsonString(Relaxed);
    }
}
