using System.Net;
using System.Net.Http.Headers;
using System.Text;
using LlmAdapters.Tests.TestSupport;

namespace LlmAdapters.Tests.Streaming;

/// <summary>
/// The per-chunk allocation of <see cref="ILlmClient.StreamAsync"/>: beyond the strings it yields, a long stream through the
/// shipped openai adapter must allocate next to nothing per chunk (no document, no per-field copy, no update object).
/// </summary>
/// <remarks>Counted on the test's thread: with a transport that answers at once, the whole stream is read on it (checked).</remarks>
public class StreamAllocationTests
{
    private const int Chunks = 20_000;

    [Test]
    public async Task StreamAsync_AllocatesOnlyTheYieldedStrings_PerChunk()
    {
        var pieces = Enumerable.Range(0, Chunks).Select(i => (i % 4) switch { 0 => "你好", 1 => " world", 2 => "😀!", _ => "\"q\"\n" }).ToArray();
        var body = Encoding.UTF8.GetBytes(StreamResponses.OpenAi(pieces));
        using var http = new HttpClient(new FixedBodyHandler(body));
        var client = LlmCatalog.BuiltIn.CreateClient(new LlmProfile { Adapter = "openai", BaseUrl = "https://vendor.test/v1", Variables = { ["apikey"] = "sk-alloc", ["model"] = "m" } }, http);
        var request = new LlmRequest { Prompt = "hi" };

        // Once to warm up (first-use allocations, pools), then measured.
        Assert.That((await CountAsync(client, request)).Count, Is.EqualTo(Chunks));
        var (count, allocated, strings) = await CountAsync(client, request);

        Assert.That(count, Is.EqualTo(Chunks));
        var perChunk = (allocated - strings) / (double)Chunks;
        Assert.That(perChunk, Is.LessThan(8), $"allocated {allocated} bytes for {Chunks} chunks, {strings} of them the yielded strings");
    }

    [Test]
    public async Task StreamUpdatesAsync_AllocatesTheUpdateAndItsText_PerChunk_WhenTheOtherFieldsRepeat()
    {
        // An OpenAI stream repeats id and model in every chunk: consecutive updates share one snapshot of them, and the
        // fields are made only when read. A consumer that reads each update's text and finish reason then allocates per
        // chunk the text and the update object (40 bytes on 64-bit), not a dictionary and a JSON document per field.
        var pieces = Enumerable.Range(0, Chunks).Select(i => (i % 4) switch { 0 => "你好", 1 => " world", 2 => "😀!", _ => "\"q\"\n" }).ToArray();
        var body = Encoding.UTF8.GetBytes(StreamResponses.OpenAi(pieces));

        var (perChunk, detail) = await UpdateBytesBeyondTextAsync("openai", "https://vendor.test/v1", body, "stop");
        Assert.That(perChunk, Is.LessThan(48), detail);
    }

    [Test]
    public async Task StreamUpdatesAsync_OverAnthropicEvents_AllocatesTheUpdateAndItsText_PerChunk()
    {
        // Each Anthropic event names its type (event: content_block_delta); a run of events of one type shares one
        // string for it, so that the type is not a new string per chunk. (Events as in Anthropic's streaming reference.)
        var pieces = Enumerable.Range(0, Chunks).Select(i => (i % 4) switch { 0 => "你好", 1 => " world", 2 => "😀!", _ => "\"q\"\n" }).ToArray();
        var events = new StringBuilder();
        events.Append("event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[],\"model\":\"claude-sonnet-4-20250514\",\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":25,\"output_tokens\":1}}}\n\n");
        events.Append("event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n");
        foreach (var piece in pieces)
        {
            events.Append("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":")
                .Append(System.Text.Json.JsonSerializer.Serialize(piece)).Append("}}\n\n");
        }

        events.Append("event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n");
        events.Append("event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":15}}\n\n");
        events.Append("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");

        var (perChunk, detail) = await UpdateBytesBeyondTextAsync("anthropic", "https://vendor.test", Encoding.UTF8.GetBytes(events.ToString()), finishReason: null);
        Assert.That(perChunk, Is.LessThan(48), detail);
    }

    [Test]
    public async Task StreamUpdatesAsync_WhenUsageChangesInEveryChunk_AllocatesTheUpdateAndItsText_PerChunk()
    {
        // DashScope sends its usage in every event (events as in DashScope's streaming reference): every update has
        // integers of its own, given as a patch of the snapshot of the chunk before (Mapping.SnapshotPatch), so that an
        // update costs what it costs on a wire whose values repeat. Measured: 40 bytes beyond the text (the update); 304
        // with a snapshot of two objects per update, 368 before that with its layout in two arrays and its values in a third.
        var pieces = Enumerable.Range(0, Chunks).Select(i => (i % 4) switch { 0 => "你好", 1 => " world", 2 => "😀!", _ => "\"q\"\n" }).ToArray();
        var body = new StringBuilder();
        for (var i = 0; i < pieces.Length; i++)
        {
            body.Append("id:").Append(i + 1).Append("\nevent:result\n:HTTP_STATUS/200\ndata:{\"output\":{\"choices\":[{\"message\":{\"content\":")
                .Append(System.Text.Json.JsonSerializer.Serialize(pieces[i])).Append(",\"role\":\"assistant\"},\"finish_reason\":\"").Append(i == pieces.Length - 1 ? "stop" : "null")
                .Append("\"}]},\"usage\":{\"total_tokens\":").Append(i + 20).Append(",\"output_tokens\":").Append(i + 1).Append(",\"input_tokens\":19},\"request_id\":\"5bd1d3a1-alloc\"}\n\n");
        }

        var (perChunk, detail) = await UpdateBytesBeyondTextAsync("dashscope", "https://vendor.test", Encoding.UTF8.GetBytes(body.ToString()), "stop");
        Assert.That(perChunk, Is.LessThan(48), detail);
    }

    /// <summary>
    /// Streams <paramref name="body"/> through the shipped adapter's StreamUpdatesAsync twice: the first pass warms up and
    /// checks that every piece arrived, and the finish reason (<paramref name="finishReason"/>, or any when null); the
    /// second is measured. Returns the bytes it allocated per update beyond the text strings, and what was counted.
    /// </summary>
    private static async Task<(double PerChunk, string Detail)> UpdateBytesBeyondTextAsync(string adapter, string baseUrl, byte[] body, string? finishReason)
    {
        using var http = new HttpClient(new FixedBodyHandler(body));
        var client = LlmCatalog.BuiltIn.CreateClient(new LlmProfile { Adapter = adapter, BaseUrl = baseUrl, Variables = { ["apikey"] = "sk-alloc", ["model"] = "m" } }, http);
        var request = new LlmRequest { Prompt = "hi" };

        var (count, _, _, finish) = await CountUpdatesAsync(client, request);
        Assert.That(count, Is.EqualTo(Chunks));
        Assert.That(finish, finishReason is null ? Is.Not.Null : Is.EqualTo(finishReason));
        var (_, allocated, strings, _) = await CountUpdatesAsync(client, request);
        return ((allocated - strings) / (double)Chunks, $"allocated {allocated} bytes for {Chunks} updates, {strings} of them the text strings");
    }

    private static async Task<(int Count, long Allocated, long Strings, string? Finish)> CountUpdatesAsync(ILlmClient client, LlmRequest request)
    {
        var thread = Environment.CurrentManagedThreadId;
        var hopped = false;
        var count = 0;
        long strings = 0;
        string? finish = null;
        var before = GC.GetAllocatedBytesForCurrentThread();
        await foreach (var update in client.StreamUpdatesAsync(request))
        {
            hopped |= Environment.CurrentManagedThreadId != thread;
            finish = update.FinishReason ?? finish;
            if (update.Text.Length > 0)
            {
                count++;
                strings += StringSize(update.Text);
            }
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.That(hopped, Is.False, "the stream hopped threads: the count would miss allocations");
        return (count, allocated, strings, finish);
    }

    [Test]
    public async Task StreamAsync_OverACumulativeStream_AllocatesOnlyTheYieldedStrings_PerChunk()
    {
        // DashScope without incremental_output: each event repeats the whole text so far, so the chunks grow. What is kept
        // of the chunk before (its text, the scan's copy of it) is pooled, not copied anew as the chunks outgrow it.
        using var http = new HttpClient(new FixedBodyHandler(CumulativeBody()));
        var client = LlmCatalog.BuiltIn.CreateClient(new LlmProfile { Adapter = "dashscope", BaseUrl = "https://vendor.test", Variables = { ["apikey"] = "sk-alloc", ["model"] = "m" } }, http);
        var request = new LlmRequest { Call = "chat_cumulative", Prompt = "hi" };

        Assert.That((await CountAsync(client, request)).Count, Is.EqualTo(CumulativeEvents));

        // The growing chunks' buffers come from ArrayPool.Shared, whose first level is per thread: a pass that starts on
        // another thread than the one before (an await that completed elsewhere) may rent them anew, some 40 KB once (one
        // CI run measured that). That is no cost per chunk, so the best of up to three passes is held to the budget.
        var best = double.MaxValue;
        var detail = string.Empty;
        for (var pass = 0; pass < 3 && best >= 16; pass++)
        {
            var (count, allocated, strings) = await CountAsync(client, request);
            Assert.That(count, Is.EqualTo(CumulativeEvents));
            var perChunk = (allocated - strings) / (double)CumulativeEvents;
            if (perChunk < best)
            {
                (best, detail) = (perChunk, $"allocated {allocated} bytes for {CumulativeEvents} chunks, {strings} of them the yielded strings");
            }
        }

        Assert.That(best, Is.LessThan(16), detail);
    }

    [Test]
    public async Task StreamUpdatesAsync_OverACumulativeStream_AllocatesTheUpdate_AndKeepsTheTextSoFarOnce()
    {
        // Each update shows the whole text so far (its content item): kept once for the stream as the pieces it grew by
        // (Mapping.PieceLog: a reference to each update's own text, 8 bytes), every update its first pieces. Its usage
        // changes in every event: the update is the snapshot of an event before and a patch of the count and of the
        // number of pieces (Mapping.SnapshotPatch). Measured: 52.5 bytes beyond the text (the update 40); 61 when the
        // text so far was a doubling buffer of characters, 272 with a snapshot per update.
        using var http = new HttpClient(new FixedBodyHandler(CumulativeBody()));
        var client = LlmCatalog.BuiltIn.CreateClient(new LlmProfile { Adapter = "dashscope", BaseUrl = "https://vendor.test", Variables = { ["apikey"] = "sk-alloc", ["model"] = "m" } }, http);
        var request = new LlmRequest { Call = "chat_cumulative", Prompt = "hi" };
        var (count, _, _, _) = await CountUpdatesAsync(client, request);
        Assert.That(count, Is.EqualTo(CumulativeEvents));

        var best = double.MaxValue;
        var detail = string.Empty;
        for (var pass = 0; pass < 3 && best >= 60; pass++)
        {
            var (passCount, allocated, strings, _) = await CountUpdatesAsync(client, request);
            Assert.That(passCount, Is.EqualTo(CumulativeEvents));
            var perUpdate = (allocated - strings) / (double)CumulativeEvents;
            if (perUpdate < best)
            {
                (best, detail) = (perUpdate, $"allocated {allocated} bytes for {CumulativeEvents} updates, {strings} of them the text strings");
            }
        }

        Assert.That(best, Is.LessThan(60), detail);
    }

    private const int CumulativeEvents = 2_000;

    /// <summary>DashScope's SSE without incremental_output, as in its streaming reference: every event the whole text so far, and the usage.</summary>
    private static byte[] CumulativeBody()
    {
        var text = new StringBuilder();
        var body = new StringBuilder();
        for (var i = 0; i < CumulativeEvents; i++)
        {
            text.Append((i % 4) switch { 0 => "你好", 1 => " world", 2 => "😀!", _ => "\"q\"\n" });
            body.Append("id:").Append(i + 1).Append("\nevent:result\n:HTTP_STATUS/200\ndata:{\"output\":{\"choices\":[{\"message\":{\"content\":")
                .Append(System.Text.Json.JsonSerializer.Serialize(text.ToString())).Append(",\"role\":\"assistant\"},\"finish_reason\":\"null\"}]},\"usage\":{\"output_tokens\":")
                .Append(i + 1).Append("},\"request_id\":\"r-1\"}\n\n");
        }

        return Encoding.UTF8.GetBytes(body.ToString());
    }

    [Test]
    public async Task StreamAsync_OverTheAwsEventStream_AllocatesOnlyTheYieldedStrings_PerChunk()
    {
        var pieces = Enumerable.Range(0, Chunks).Select(i => (i % 4) switch { 0 => "你好", 1 => " world", 2 => "😀!", _ => "\"q\"\n" }).ToArray();
        var body = EventStreamEncoder.Concat([.. pieces.Select(p => EventStreamEncoder.Event("contentBlockDelta", $$$"""{"contentBlockIndex":0,"delta":{"text":{{{System.Text.Json.JsonSerializer.Serialize(p)}}}}}"""))]);
        using var http = new HttpClient(new FixedBodyHandler(body, "application/vnd.amazon.eventstream"));
        var profile = new LlmProfile
        {
            Adapter = "bedrock",
            BaseUrl = "https://bedrock-runtime.us-east-1.amazonaws.com",
            Variables = { ["model"] = "m", ["region"] = "us-east-1", ["aws_access_key_id"] = "AKIDEXAMPLE", ["aws_secret_access_key"] = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" },
        };
        var client = LlmCatalog.BuiltIn.CreateClient(profile, http);
        var request = new LlmRequest { Prompt = "hi" };

        Assert.That((await CountAsync(client, request)).Count, Is.EqualTo(Chunks));
        var (count, allocated, strings) = await CountAsync(client, request);

        Assert.That(count, Is.EqualTo(Chunks));
        var perChunk = (allocated - strings) / (double)Chunks;
        Assert.That(perChunk, Is.LessThan(8), $"allocated {allocated} bytes for {Chunks} chunks, {strings} of them the yielded strings");
    }

    [Test]
    public async Task StreamAsync_OverRawText_AllocatesOnlyTheYieldedStrings_BeyondTheCall()
    {
        // stream_format raw (the espai adapter): each read of up to 16 KB is decoded into characters and yielded. The
        // characters' buffer is rented: a 1 MB stream allocates the strings and what any call does (the request, the
        // response), not a buffer of characters per stream. Measured: 5.3 KB beyond the strings; 86 KB before, when each stream made
        // its own buffer, and made it again larger when a read needed more room.
        var text = string.Concat(Enumerable.Range(0, 60_000).Select(i => (i % 6) switch { 0 => "你好", 1 => "😀", _ => " words" }));
        var body = Encoding.UTF8.GetBytes(text);
        using var http = new HttpClient(new FixedBodyHandler(body, "text/plain"));
        var client = LlmCatalog.BuiltIn.CreateClient(new LlmProfile { Adapter = "espai", BaseUrl = "https://vendor.test", Variables = { ["apikey"] = "k" } }, http);
        var request = new LlmRequest { Prompt = "hi" };

        Assert.That((await CountAsync(client, request)).Count, Is.GreaterThan(1));
        var (count, allocated, strings) = await CountAsync(client, request);

        Assert.That(count, Is.GreaterThanOrEqualTo(body.Length / (16 * 1024)));
        Assert.That(allocated - strings, Is.LessThan(12 * 1024), $"allocated {allocated} bytes for {count} reads, {strings} of them the yielded strings");
    }

    [Test]
    public async Task StreamAsync_OverAJsonArray_AllocatesOnlyTheYieldedStrings_PerChunk()
    {
        // stream_format json-array: Gemini's streamGenerateContent without alt=sse, one JSON array of
        // GenerateContentResponse objects (the shipped gemini definition with that framing, as the benchmarks read it).
        // Its elements' usage and ids are read and checked, not kept: nothing per element beyond the text (measured: 0.4
        // bytes per element, the call's own objects spread over the stream).
        var definition = System.Text.Json.Nodes.JsonNode.Parse(LlmAdapters.Definitions.DefinitionSource.BuiltIns.ReadOne(LlmAdapters.Definitions.DefinitionSource.BuiltInResourcePrefix + "gemini.json").Bytes.Span)!.AsObject();
        definition["name"] = "gemini-array";
        definition["chat"]!["stream_format"] = "json-array";
        definition["chat"]!.AsObject().Remove("params");
        var pieces = Enumerable.Range(0, Chunks).Select(i => (i % 4) switch { 0 => "你好", 1 => " world", 2 => "😀!", _ => "\"q\"\n" }).ToArray();
        var body = new StringBuilder("[");
        for (var i = 0; i < pieces.Length; i++)
        {
            body.Append(i == 0 ? string.Empty : ",\r\n")
                .Append("{\"candidates\":[{\"content\":{\"parts\":[{\"text\":").Append(System.Text.Json.JsonSerializer.Serialize(pieces[i]))
                .Append("}],\"role\":\"model\"},\"index\":0}],\"usageMetadata\":{\"promptTokenCount\":12,\"candidatesTokenCount\":").Append(i + 1)
                .Append(",\"totalTokenCount\":").Append(i + 13).Append("},\"modelVersion\":\"gemini-2.5-flash\",\"responseId\":\"resp-1\"}");
        }

        body.Append(']');
        using var http = new HttpClient(new FixedBodyHandler(Encoding.UTF8.GetBytes(body.ToString()), "application/json"));
        var client = LlmCatalog.FromJson(definition.ToJsonString(), "gemini-array.json").CreateClient(new LlmProfile { Adapter = "gemini-array", BaseUrl = "https://vendor.test", Variables = { ["apikey"] = "k", ["model"] = "gemini-2.5-flash" } }, http);
        var request = new LlmRequest { Prompt = "hi" };

        Assert.That((await CountAsync(client, request)).Count, Is.EqualTo(Chunks));
        var (count, allocated, strings) = await CountAsync(client, request);

        Assert.That(count, Is.EqualTo(Chunks));
        Assert.That((allocated - strings) / (double)Chunks, Is.LessThan(8), $"allocated {allocated} bytes for {Chunks} elements, {strings} of them the yielded strings");
    }

    [Test]
    public async Task ChatClientStreaming_AllocatesMicrosoftExtensionsAIsObjects_AndTheUpdate_PerChunk()
    {
        // GetStreamingResponseAsync maps each update as it comes (no iterator of its own): per chunk Microsoft.Extensions.AI's
        // ChatResponseUpdate (144 bytes), its contents (40: the one TextContent held in place, not a List and its array of
        // 64) and the TextContent (48), our update (40), and the text: measured 272.6 bytes per chunk beyond the text. Any
        // more (a list of contents, a dictionary of additional properties, a copy of the fields) is a regression.
        var pieces = Enumerable.Range(0, Chunks).Select(i => (i % 4) switch { 0 => "你好", 1 => " world", 2 => "😀!", _ => "\"q\"\n" }).ToArray();
        var body = Encoding.UTF8.GetBytes(StreamResponses.OpenAi(pieces));
        using var http = new HttpClient(new FixedBodyHandler(body));
        var chat = LlmCatalog.BuiltIn.CreateClient(new LlmProfile { Adapter = "openai", BaseUrl = "https://vendor.test/v1", Variables = { ["apikey"] = "sk-alloc", ["model"] = "m" } }, http).AsIChatClient();
        Microsoft.Extensions.AI.ChatMessage[] messages = [new(Microsoft.Extensions.AI.ChatRole.User, "hi")];

        Assert.That((await CountChatAsync()).Count, Is.EqualTo(Chunks));
        var (count, allocated, strings, finish) = await CountChatAsync();

        Assert.That(count, Is.EqualTo(Chunks));
        Assert.That(finish, Is.EqualTo(Microsoft.Extensions.AI.ChatFinishReason.Stop));
        Assert.That((allocated - strings) / (double)Chunks, Is.LessThan(144 + 40 + 48 + 40 + 16), $"allocated {allocated} bytes for {Chunks} updates, {strings} of them the text strings");

        async Task<(int Count, long Allocated, long Strings, Microsoft.Extensions.AI.ChatFinishReason? Finish)> CountChatAsync()
        {
            var thread = Environment.CurrentManagedThreadId;
            var hopped = false;
            var n = 0;
            long texts = 0;
            Microsoft.Extensions.AI.ChatFinishReason? last = null;
            var before = GC.GetAllocatedBytesForCurrentThread();
            await foreach (var update in chat.GetStreamingResponseAsync(messages))
            {
                hopped |= Environment.CurrentManagedThreadId != thread;
                last = update.FinishReason ?? last;
                var text = update.Text;
                if (text.Length > 0)
                {
                    n++;
                    texts += StringSize(text);
                }
            }

            var bytes = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.That(hopped, Is.False, "the stream hopped threads: the count would miss allocations");
            return (n, bytes, texts, last);
        }
    }

    private static async Task<(int Count, long Allocated, long Strings)> CountAsync(ILlmClient client, LlmRequest request)
    {
        var thread = Environment.CurrentManagedThreadId;
        var hopped = false;
        var count = 0;
        long strings = 0;
        var before = GC.GetAllocatedBytesForCurrentThread();
        await foreach (var piece in client.StreamAsync(request))
        {
            hopped |= Environment.CurrentManagedThreadId != thread; // no Assert here: NUnit's constraints allocate
            count++;
            strings += StringSize(piece);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.That(hopped, Is.False, "the stream hopped threads: the count would miss allocations");
        return (count, allocated, strings);
    }

    // A string's size on a 64-bit runtime: header, method table and length, the characters and a terminator, 8-byte aligned.
    private static long StringSize(string s) => (8 + 8 + 4 + (2 * (s.Length + 1)) + 7) / 8 * 8;
}
