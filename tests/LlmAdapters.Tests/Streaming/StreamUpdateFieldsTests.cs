using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using LlmAdapters.Tests.TestSupport;

namespace LlmAdapters.Tests.Streaming;

/// <summary>
/// StreamUpdatesAsync keeps each chunk's values as raw bytes, shares them between chunks whose values repeat, and makes
/// the fields when they are read. What a user sees must not change: every update's fields, usage and finish reason are
/// compared with what the chunk itself says, read independently with JsonDocument, over generated OpenAI streams in
/// which the id, model, finish reason, usage and reasoning change at random points.
/// </summary>
public class StreamUpdateFieldsTests
{
    private static readonly string[] Texts = ["你好", " world", "😀!", "\"q\"\n", "", "a\\b", "\t", "é"];

    [Test]
    public async Task Every_update_shows_the_fields_of_its_own_chunk()
    {
        var random = new Random(6_12_2026);
        var checkedUpdates = 0;
        var sameValues = 0;
        for (var stream = 0; stream < 200; stream++)
        {
            var chunks = Enumerable.Range(0, random.Next(1, 40)).Select(_ => Chunk(random)).ToList();
            using var http = SseOf(chunks);
            var client = OpenAi(http);

            var updates = new List<LlmStreamUpdate>();
            await foreach (var update in client.StreamUpdatesAsync(new LlmRequest { Prompt = "hi" }))
            {
                updates.Add(update);
            }

            Assert.That(updates, Has.Count.EqualTo(chunks.Count));
            for (var i = 1; i < chunks.Count; i++)
            {
                // What the chat client relies on to skip reading a value again: said only of a value the update before had.
                foreach (var name in (string[])["content", "reasoning", "finish_reason", "usage", "model", "id"])
                {
                    if (updates[i].HasTheSameValue(name, updates[i - 1]))
                    {
                        Assert.That(Expected(chunks[i]).GetValueOrDefault(name), Is.EqualTo(Expected(chunks[i - 1]).GetValueOrDefault(name)), $"{name} of {chunks[i]} after {chunks[i - 1]}");
                        sameValues++;
                    }
                }
            }

            for (var i = 0; i < chunks.Count; i++)
            {
                // Read out of order and after the stream has ended: the values are the update's own, not the decoder's.
                var j = (i * 7) % chunks.Count;
                var expected = Expected(chunks[j]);
                var actual = updates[j].Fields;
                Assert.That(actual.Keys.Order(StringComparer.Ordinal), Is.EqualTo(expected.Keys.Order(StringComparer.Ordinal)), chunks[j]);
                foreach (var (name, value) in expected)
                {
                    Assert.That(Canonical(actual[name]), Is.EqualTo(value), $"{name} of {chunks[j]}");
                }

                Assert.That(updates[j].FinishReason, Is.EqualTo(expected.TryGetValue("finish_reason", out var f) ? JsonDocument.Parse(f).RootElement.GetString() : null));
                Assert.That(updates[j].Usage?.TotalTokens, Is.EqualTo(expected.TryGetValue("usage", out var u) ? JsonDocument.Parse(u).RootElement.GetProperty("total_tokens").GetInt64() : (long?)null));
                checkedUpdates++;
            }
        }

        Assert.That(checkedUpdates, Is.GreaterThan(3_000));
        Assert.That(sameValues, Is.GreaterThan(3_000));
    }

    [Test]
    public async Task Usage_finish_reason_id_and_model_read_while_streaming_are_each_chunks_own()
    {
        // Read as a consumer reads them, update by update while the stream runs: a new snapshot takes over what the one
        // before it computed from the same bytes (usage, finish reason, id, model), and only that.
        var random = new Random(7_12_2026);
        var checkedUpdates = 0;
        for (var stream = 0; stream < 200; stream++)
        {
            var chunks = Enumerable.Range(0, random.Next(1, 40)).Select(_ => Chunk(random)).ToList();
            using var http = SseOf(chunks);
            var client = OpenAi(http);

            var i = 0;
            await foreach (var update in client.StreamUpdatesAsync(new LlmRequest { Prompt = "hi" }))
            {
                var expected = Expected(chunks[i]);
                string? Text(string name) => expected.TryGetValue(name, out var v) ? JsonDocument.Parse(v).RootElement.GetString() : null;
                foreach (var what in Enumerable.Range(0, 4).Where(_ => random.Next(3) > 0))
                {
                    switch (what)
                    {
                        case 0:
                            Assert.That(update.FinishReason, Is.EqualTo(Text("finish_reason")), chunks[i]);
                            break;
                        case 1:
                            Assert.That(update.Usage?.TotalTokens, Is.EqualTo(expected.TryGetValue("usage", out var u) ? JsonDocument.Parse(u).RootElement.GetProperty("total_tokens").GetInt64() : (long?)null), chunks[i]);
                            break;
                        case 2:
                            Assert.That(update.FieldText("id"), Is.EqualTo(Text("id")), chunks[i]);
                            break;
                        default:
                            Assert.That(update.FieldText("model"), Is.EqualTo(Text("model")), chunks[i]);
                            break;
                    }
                }

                i++;
                checkedUpdates++;
            }

            Assert.That(i, Is.EqualTo(chunks.Count));
        }

        Assert.That(checkedUpdates, Is.GreaterThan(3_000));
    }

    [Test]
    public async Task A_dashscope_update_shows_its_own_usage_though_it_shares_the_snapshot_of_the_chunk_before()
    {
        // DashScope sends its usage in every event (as in its streaming reference): the updates after the second are that
        // chunk's snapshot and a patch of the two counts that change (Mapping.SnapshotPatch). Each still shows its own.
        var body = new StringBuilder();
        for (var i = 0; i < 6; i++)
        {
            body.Append("id:").Append(i + 1).Append("\nevent:result\n:HTTP_STATUS/200\ndata:{\"output\":{\"choices\":[{\"message\":{\"content\":\"piece ")
                .Append(i).Append("\",\"role\":\"assistant\"},\"finish_reason\":\"").Append(i == 5 ? "stop" : "null").Append("\"}]},\"usage\":{\"total_tokens\":")
                .Append(i + 95).Append(",\"output_tokens\":").Append(i + 1).Append(",\"input_tokens\":94},\"request_id\":\"5bd1d3a1\"}\n\n");
        }

        using var http = new HttpClient(new FixedBodyHandler(Encoding.UTF8.GetBytes(body.ToString())));
        var client = LlmCatalog.BuiltIn.CreateClient(new LlmProfile { Adapter = "dashscope", BaseUrl = "https://vendor.test", Variables = { ["apikey"] = "sk-test", ["model"] = "qwen-plus" } }, http);
        var updates = new List<LlmStreamUpdate>();
        await foreach (var update in client.StreamUpdatesAsync(new LlmRequest { Prompt = "hi" }))
        {
            updates.Add(update);
        }

        Assert.That(updates.Select(u => u.IsPatched), Is.EqualTo(new[] { false, false, true, true, true, false }), "the last chunk's finish reason is not an integer: a snapshot of its own");
        for (var i = 0; i < 6; i++)
        {
            // Read after the stream ended, in another order than the stream's.
            var j = (i * 5) % 6;
            Assert.That(updates[j].Usage, Is.EqualTo(new LlmUsage(94, j + 1, j + 95)), $"update {j}");
            Assert.That(updates[j].GetString("usage"), Is.EqualTo($"{{\"total_tokens\":{j + 95},\"output_tokens\":{j + 1},\"input_tokens\":94}}"), $"update {j}");
            Assert.That(updates[j].Fields["usage"].GetProperty("output_tokens").GetInt32(), Is.EqualTo(j + 1), $"update {j}");
            Assert.That(updates[j].FinishReason, Is.EqualTo(j == 5 ? "stop" : "null"), $"update {j}");
            Assert.That(updates[j].Text, Is.EqualTo($"piece {j}"));
            Assert.That(updates[j].EventType, Is.EqualTo("result"));
        }
    }

    [Test]
    public async Task A_gemini_update_shows_its_text_and_thoughts_and_no_reasoning_where_the_chunk_has_no_thought()
    {
        // Gemini's content and reasoning are both read from the parts through converters; a chunk without a thought part
        // has no reasoning (gemini_thoughts gives null), and chunks that differ only in their text share their values.
        var body = File.ReadAllBytes(Path.Combine(TestContext.CurrentContext.TestDirectory, "../../../../LlmAdapters.Conformance.Tests/Fixtures/gemini/stream-with-thoughts/response.sse"));
        using var http = new HttpClient(new FixedBodyHandler(body));
        var client = LlmCatalog.BuiltIn.CreateClient(new LlmProfile { Adapter = "gemini", BaseUrl = "https://vendor.test", Variables = { ["apikey"] = "k", ["model"] = "gemini-2.5-flash" } }, http);

        var updates = new List<LlmStreamUpdate>();
        await foreach (var update in client.StreamUpdatesAsync(new LlmRequest { Prompt = "你好" }))
        {
            updates.Add(update);
        }

        var chunks = Encoding.UTF8.GetString(body).Split("\n").Where(l => l.StartsWith("data: ", StringComparison.Ordinal)).Select(l => JsonDocument.Parse(l[6..]).RootElement).ToList();
        Assert.That(updates, Has.Count.EqualTo(chunks.Count));
        for (var i = 0; i < chunks.Count; i++)
        {
            var parts = chunks[i].GetProperty("candidates")[0].GetProperty("content").GetProperty("parts").EnumerateArray().ToList();
            var thoughts = string.Concat(parts.Where(p => p.TryGetProperty("thought", out var t) && t.GetBoolean()).Select(p => p.GetProperty("text").GetString()));
            var text = string.Concat(parts.Where(p => !p.TryGetProperty("thought", out _)).Select(p => p.GetProperty("text").GetString()));
            var fields = updates[i].Fields;
            Assert.That(updates[i].Text, Is.EqualTo(text));
            Assert.That(fields["content"].GetString(), Is.EqualTo(text));
            Assert.That(fields.TryGetValue("reasoning", out var reasoning) ? reasoning.GetString() : null, Is.EqualTo(thoughts.Length > 0 ? thoughts : null), $"chunk {i}");
            Assert.That(fields["model"].GetString(), Is.EqualTo(chunks[i].GetProperty("modelVersion").GetString()));
            Assert.That(updates[i].Usage?.TotalTokens, Is.EqualTo(chunks[i].GetProperty("usageMetadata").GetProperty("totalTokenCount").GetInt64()));
        }

        Assert.That(updates.Count(u => u.Fields.ContainsKey("reasoning")), Is.GreaterThan(0).And.LessThan(updates.Count));
    }

    [Test]
    public async Task A_gemini_stream_called_whole_joins_the_thoughts_alone_as_its_reasoning()
    {
        // The joined reasoning of a chunk whose parts are one text is taken from the text's reading of them (no thought,
        // so no piece): the whole response's reasoning must be the thought parts' texts alone, its text the others'.
        var body = File.ReadAllBytes(Path.Combine(TestContext.CurrentContext.TestDirectory, "../../../../LlmAdapters.Conformance.Tests/Fixtures/gemini/stream-with-thoughts/response.sse"));
        using var http = new HttpClient(new FixedBodyHandler(body));
        var client = LlmCatalog.BuiltIn.CreateClient(new LlmProfile { Adapter = "gemini", BaseUrl = "https://vendor.test", Variables = { ["apikey"] = "k", ["model"] = "gemini-2.5-flash" } }, http);

        var response = await client.CallAsync(new LlmRequest { Prompt = "你好" });

        var parts = Encoding.UTF8.GetString(body).Split("\n").Where(l => l.StartsWith("data: ", StringComparison.Ordinal))
            .SelectMany(l => JsonDocument.Parse(l[6..]).RootElement.GetProperty("candidates")[0].GetProperty("content").GetProperty("parts").EnumerateArray().ToList()).ToList();
        var thoughts = string.Concat(parts.Where(p => p.TryGetProperty("thought", out var t) && t.GetBoolean()).Select(p => p.GetProperty("text").GetString()));
        var text = string.Concat(parts.Where(p => !p.TryGetProperty("thought", out _)).Select(p => p.GetProperty("text").GetString()));
        Assert.That(thoughts, Is.Not.Empty);
        Assert.That(parts.Count(p => !p.TryGetProperty("thought", out _)), Is.GreaterThan(1), "chunks of text alone");
        Assert.That(response.Text, Is.EqualTo(text));
        Assert.That(response.Fields["reasoning"].GetString(), Is.EqualTo(thoughts));
    }

    [Test]
    public async Task GetString_reads_one_field_of_each_update_as_its_fields_show_it()
    {
        // A DeepSeek-R1 stream through SiliconFlow (the recorded conformance fixture): reasoning pieces, then content.
        // GetString reads one item without making Fields, and must say what Fields says, for every item of every update.
        var body = File.ReadAllBytes(Path.Combine(TestContext.CurrentContext.TestDirectory, "../../../../LlmAdapters.Conformance.Tests/Fixtures/siliconflow/chat-stream/response.sse"));
        var updates = new List<LlmStreamUpdate>();
        await foreach (var update in OpenAi(new HttpClient(new FixedBodyHandler(body))).StreamUpdatesAsync(new LlmRequest { Prompt = "hi" }))
        {
            updates.Add(update);
        }

        var reasoning = updates.Select(u => u.GetString("reasoning")).ToList();
        Assert.That(string.Concat(reasoning), Does.StartWith("We"));
        Assert.That(reasoning.Count(r => r is { Length: > 0 }), Is.GreaterThan(5));

        // Read again on fresh updates, the other way round: Fields first, then GetString (the snapshot already made).
        var again = new List<LlmStreamUpdate>();
        await foreach (var update in OpenAi(new HttpClient(new FixedBodyHandler(body))).StreamUpdatesAsync(new LlmRequest { Prompt = "hi" }))
        {
            again.Add(update);
        }

        Assert.That(again, Has.Count.EqualTo(updates.Count));
        for (var i = 0; i < updates.Count; i++)
        {
            foreach (var name in new[] { "content", "reasoning", "finish_reason", "usage", "model", "id", "tool_calls", "not-an-item" })
            {
                var fields = again[i].Fields;
                var expected = fields.TryGetValue(name, out var value) && value.ValueKind != JsonValueKind.Null
                    ? (value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText())
                    : null;
                Assert.That(updates[i].GetString(name), Is.EqualTo(expected), $"update {i}, {name}");
                Assert.That(again[i].GetString(name), Is.EqualTo(expected), $"update {i}, {name}, after Fields");
            }
        }
    }

    [Test]
    public async Task An_item_read_from_the_event_type_is_each_updates_own_when_the_data_repeats()
    {
        // The same data under changing event types: a chunk found from the one before (same bytes, ScanMemo) must still
        // show its own event, in the item that reads it alone and in the one that falls back to it.
        const string Definition = """
            { "name": "ev", "chat": { "path": "/chat", "apitype": "stream", "stream_format": "sse", "resp": [
              { "name": "content", "value": "delta.text" }, { "name": "event", "value": "@event" }, { "name": "kind", "value": "kind | @event" },
              { "name": "model", "value": "model" } ] } }
            """;
        var catalog = new LlmCatalogBuilder().AddJson(Definition, "ev.json").Build();
        string[] events = ["a", "a", "b", "b", "c", "a"];
        var body = string.Concat(events.Select((e, i) => $"event: {e}\ndata: {{\"delta\":{{\"text\":\"t{i}\"}},\"model\":\"m\"}}\n\n"));
        var client = catalog.CreateClient(new LlmProfile { Adapter = "ev", BaseUrl = "https://vendor.test" }, new HttpClient(new FixedBodyHandler(Encoding.UTF8.GetBytes(body))));

        var updates = new List<LlmStreamUpdate>();
        await foreach (var update in client.StreamUpdatesAsync(new LlmRequest { Prompt = "hi" }))
        {
            updates.Add(update);
        }

        Assert.That(updates.Select(u => u.Text), Is.EqualTo(events.Select((_, i) => $"t{i}")));
        Assert.That(updates.Select(u => u.GetString("event")), Is.EqualTo(events));
        Assert.That(updates.Select(u => u.Fields["kind"].GetString()), Is.EqualTo(events));
        Assert.That(updates.Select(u => u.GetString("model")), Is.All.EqualTo("m"));
    }

    /// <summary>An HTTP client that answers every request with <paramref name="chunks"/> as an OpenAI SSE body.</summary>
    private static HttpClient SseOf(IEnumerable<string> chunks)
        => new(new FixedBodyHandler(Encoding.UTF8.GetBytes(string.Concat(chunks.Select(c => "data: " + c + "\n\n")) + "data: [DONE]\n\n")));

    private static ILlmClient OpenAi(HttpClient http)
        => LlmCatalog.BuiltIn.CreateClient(new LlmProfile { Adapter = "openai", BaseUrl = "https://vendor.test/v1", Variables = { ["apikey"] = "sk-f", ["model"] = "m" } }, http);

    /// <summary>One chunk's non-null items as the openai adapter maps them, each as canonical JSON.</summary>
    private static Dictionary<string, string> Expected(string chunk)
    {
        using var doc = JsonDocument.Parse(chunk);
        var root = doc.RootElement;
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        var choice = root.TryGetProperty("choices", out var choices) && choices.GetArrayLength() > 0 ? choices[0] : (JsonElement?)null;
        void Add(string name, JsonElement? value)
        {
            if (value is { ValueKind: not JsonValueKind.Null and not JsonValueKind.Undefined } v)
            {
                result[name] = Canonical(v);
            }
        }

        JsonElement? Get(JsonElement? e, string name) => e is { ValueKind: JsonValueKind.Object } o && o.TryGetProperty(name, out var p) ? p : null;
        Add("content", Get(Get(choice, "delta"), "content"));
        Add("reasoning", Get(Get(choice, "delta"), "reasoning_content"));
        Add("finish_reason", Get(choice, "finish_reason"));
        var usage = Get(root, "usage");
        Add("usage", usage is { ValueKind: not JsonValueKind.Null } ? usage : Get(choice, "usage"));
        Add("model", Get(root, "model"));
        Add("id", Get(root, "id"));
        return result;
    }

    private static string Canonical(JsonElement e) => e.ValueKind == JsonValueKind.String ? JsonSerializer.Serialize(e.GetString()) : JsonSerializer.Serialize(e);

    private static string Chunk(Random random)
    {
        var id = random.Next(10) == 0 ? "chatcmpl-2" : "chatcmpl-1";
        var model = random.Next(8) == 0 ? "gpt-4o" : "gpt-4o-mini";
        var delta = new List<string>();
        if (random.Next(6) != 0)
        {
            delta.Add("\"content\":" + (random.Next(10) == 0 ? "null" : JsonSerializer.Serialize(Texts[random.Next(Texts.Length)])));
        }

        if (random.Next(5) == 0)
        {
            delta.Add("\"reasoning_content\":" + JsonSerializer.Serialize(Texts[random.Next(Texts.Length)]));
        }

        var finish = random.Next(10) == 0 ? "\"stop\"" : "null";
        var choices = random.Next(12) == 0 ? "[]" : "[{\"index\":0,\"delta\":{" + string.Join(",", delta) + "},\"finish_reason\":" + finish + "}]";
        var usage = random.Next(10) == 0 ? "{\"prompt_tokens\":3,\"completion_tokens\":" + random.Next(1, 9) + ",\"total_tokens\":" + random.Next(10, 20) + "}" : "null";
        return "{\"id\":\"" + id + "\",\"object\":\"chat.completion.chunk\",\"model\":\"" + model + "\",\"choices\":" + choices + ",\"usage\":" + usage + "}";
    }
}
