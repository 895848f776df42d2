using System.Text;
using System.Net;
using System.Text.Json;
using LlmAdapters.Tests.TestSupport;

namespace LlmAdapters.Tests.Streaming;

public class StreamCallTests
{
    private static readonly string[] Pieces = ["你好", "，", "世界", "！😀", " emoji 👍🏽 and \"quotes\"\n"];

    private static ILlmClient Client(string definition, RecordingHandler handler, Action<LlmProfile>? configure = null)
    {
        var profile = new LlmProfile { Adapter = "t", BaseUrl = "https://vendor.test", Variables = { ["apikey"] = "sk-stream-secret" } };
        configure?.Invoke(profile);
        return LlmCatalog.FromJson(definition, "t.json").CreateClient(profile, handler.Mock);
    }

    private static string Def(string streamKeys, string resp = """[ { "name": "content", "value": "choices[0].delta.content" }, { "name": "finish_reason", "value": "choices[0].finish_reason" }, { "name": "usage", "value": "usage" }, { "name": "id", "value": "id" } ]""")
        => $$"""{ "name": "t", "chat": { "path": "/chat", "apitype": "stream", {{streamKeys}}, "data": [ { "name": "stream", "value": true } ], "resp": {{resp}} } }""";

    [Test]
    public async Task Sse_YieldsEachPiece_AndCallAsyncJoinsTextWithFinalFields()
    {
        var definition = Def("\"stream_format\": \"sse\", \"stream_done\": \"[DONE]\"");
        var body = StreamResponses.OpenAi(Pieces);

        var pieces = await StreamResponses.CollectAsync(Client(definition, StreamResponses.Body(body)).StreamAsync(new LlmRequest { Prompt = "hi" }));
        Assert.That(pieces, Is.EqualTo(Pieces));

        var response = await Client(definition, StreamResponses.Body(body)).CallAsync(new LlmRequest { Prompt = "hi" });
        Assert.That(response.Text, Is.EqualTo(string.Concat(Pieces)));
        Assert.That(response.FinishReason, Is.EqualTo("stop"));
        Assert.That(response.Usage, Is.EqualTo(new LlmUsage(5, 7, 12)));
        Assert.That(response.GetString("id"), Is.EqualTo("c1"));
        Assert.That(response.GetString("content"), Is.EqualTo(string.Concat(Pieces)));
    }

    [Test]
    public void Cancelling_StopsTheStream_EvenWhenTheRestIsAlreadyRead()
    {
        // The whole body arrives in one read here: without a check per chunk, the chunks already read would still be
        // yielded after the consumer cancelled, and the stream would end as if nothing had happened.
        var definition = Def("\"stream_format\": \"sse\", \"stream_done\": \"[DONE]\"");
        var client = Client(definition, StreamResponses.Body(StreamResponses.OpenAi(Pieces)));
        using var cancel = new CancellationTokenSource();
        var seen = new List<string>();

        Assert.That(async () =>
        {
            await foreach (var piece in client.StreamAsync(new LlmRequest { Prompt = "hi" }, cancel.Token))
            {
                seen.Add(piece);
                cancel.Cancel();
            }
        }, Throws.InstanceOf<OperationCanceledException>());
        Assert.That(seen, Is.EqualTo(new[] { Pieces[0] }));
    }

    [Test]
    public async Task Lines_WithChunkMatch_SkipsNonMatchingLines()
    {
        var body = ": keep-alive\n\nevent: message\n" + StreamResponses.OpenAi(Pieces);
        var pieces = await StreamResponses.CollectAsync(Client(Def("\"chunk_match\": \"data: (.*)\""), StreamResponses.Body(body)).StreamAsync(new LlmRequest()));
        Assert.That(pieces, Is.EqualTo(Pieces));
    }

    [TestCase("\r\n")]
    [TestCase("\r")]
    [TestCase("\n")]
    public async Task Lines_AcceptEveryLineEnding(string newline)
    {
        var body = StreamResponses.OpenAi(Pieces).Replace("\n", newline, StringComparison.Ordinal);
        var pieces = await StreamResponses.CollectAsync(Client(Def("\"chunk_match\": \"data: (.*)\""), StreamResponses.Body(body)).StreamAsync(new LlmRequest()));
        Assert.That(pieces, Is.EqualTo(Pieces));
    }

    [Test]
    public async Task RegexChunkMatch_IsUsedWhenNotAPlainPrefix()
    {
        var body = "DATA:   {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\nnoise\ndata:{\"choices\":[{\"delta\":{\"content\":\"b\"}}]}\n";
        var pieces = await StreamResponses.CollectAsync(Client(Def("\"chunk_match\": \"^(?i:data):\\\\s*(.*)$\""), StreamResponses.Body(body)).StreamAsync(new LlmRequest()));
        Assert.That(pieces, Is.EqualTo(new[] { "a", "b" }));
    }

    [Test]
    public async Task Sse_JoinsMultiLineData_ExposesEventType_AndFiltersByEvent()
    {
        const string Body = """
            : comment

            event: ping
            data: {"type":"ping"}

            event: content_block_delta
            data: {"type":"content_block_delta",
            data:  "delta":{"type":"text_delta","text":"Hel"}}

            event: content_block_delta
            id: 7
            data: {"type":"content_block_delta","delta":{"type":"text_delta","text":"lo"}}

            event: message_delta
            data: {"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":3}}


            """;
        var definition = Def(
            "\"stream_format\": \"sse\", \"chunk_filter\": { \"name\": \"@event\", \"op\": \"==\", \"value\": \"ping\" }",
            """[ { "name": "content", "value": "delta.text" }, { "name": "finish_reason", "value": "delta.stop_reason" }, { "name": "output_tokens", "value": "usage.output_tokens" }, { "name": "event", "value": "@event" } ]""");

        var updates = new List<LlmStreamUpdate>();
        await foreach (var update in Client(definition, StreamResponses.Body(Body)).StreamUpdatesAsync(new LlmRequest()))
        {
            updates.Add(update);
        }

        Assert.That(updates.Select(u => u.EventType), Is.EqualTo(new[] { "ping", "content_block_delta", "content_block_delta", "message_delta" }));
        Assert.That(updates.Select(u => u.Text), Is.EqualTo(new[] { "", "Hel", "lo", "" }));
        Assert.That(updates[0].Fields, Is.Empty, "the ping event is filtered out entirely");
        Assert.That(updates[1].Fields["event"].GetString(), Is.EqualTo("content_block_delta"));
        Assert.That(updates[3].FinishReason, Is.EqualTo("end_turn"));
        Assert.That(updates[3].Usage?.OutputTokens, Is.EqualTo(3));
    }

    [Test]
    public async Task Raw_YieldsTextAsItArrives()
    {
        var pieces = await StreamResponses.CollectAsync(Client(Def("\"stream_format\": \"raw\""), StreamResponses.Body("纯文本 stream 🙂", "text/plain")).StreamAsync(new LlmRequest()));
        Assert.That(string.Concat(pieces), Is.EqualTo("纯文本 stream 🙂"));
    }

    [Test]
    public async Task JsonArray_YieldsEachElement()
    {
        const string Body = """
            [{"candidates":[{"content":{"parts":[{"text":"Hello"}]}}]}
            ,{"candidates":[{"content":{"parts":[{"text":" [world] {x}\" "}]}}]},
            {"candidates":[{"content":{"parts":[{"text":"!"}]},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":3,"candidatesTokenCount":4}}]
            """;
        var definition = Def("\"stream_format\": \"json-array\"",
            """[ { "name": "content", "value": "candidates[0].content.parts[0].text" }, { "name": "finish_reason", "value": "candidates[0].finishReason" }, { "name": "usage", "value": "usageMetadata" } ]""");
        var response = await Client(definition, StreamResponses.Body(Body, "application/json")).CallAsync(new LlmRequest());
        Assert.That(response.Text, Is.EqualTo("Hello [world] {x}\" !"));
        Assert.That(response.FinishReason, Is.EqualTo("STOP"));
        Assert.That(response.Usage, Is.EqualTo(new LlmUsage(3, 4, 7)));
    }

    [Test]
    public void JsonArray_Unclosed_IsATruncatedStream()
    {
        var definition = Def("\"stream_format\": \"json-array\"", """[ { "name": "content", "value": "t" } ]""");
        var e = Assert.ThrowsAsync<LlmStreamException>(() => Client(definition, StreamResponses.Body("[{\"t\":\"a\"},{\"t\":\"b\"", "application/json")).CallAsync(new LlmRequest()))!;
        Assert.That(e.Message, Does.Contain("before the JSON array was closed"));
        Assert.That(e.ReceivedText, Is.EqualTo("a"));
    }

    [Test]
    public void MissingRequiredDoneMarker_IsATruncatedStream_WithReceivedText()
    {
        var body = StreamResponses.OpenAi(Pieces, done: false);
        var e = Assert.ThrowsAsync<LlmStreamException>(() => StreamResponses.CollectAsync(Client(Def("\"stream_format\": \"sse\", \"stream_done\": \"[DONE]\""), StreamResponses.Body(body)).StreamAsync(new LlmRequest())))!;
        Assert.That(e.Message, Does.Contain("without the end marker \"[DONE]\""));
        Assert.That(e.ReceivedText, Is.EqualTo(string.Concat(Pieces)));
    }

    [Test]
    public async Task DoneMarker_IsOptionalUnlessNamed_AndCanBeChanged()
    {
        var body = StreamResponses.OpenAi(Pieces, done: false);
        Assert.That(await StreamResponses.CollectAsync(Client(Def("\"stream_format\": \"sse\""), StreamResponses.Body(body)).StreamAsync(new LlmRequest())), Is.EqualTo(Pieces));

        var custom = "data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n\ndata: <END>\n\ndata: {\"choices\":[{\"delta\":{\"content\":\"never\"}}]}\n\n";
        Assert.That(await StreamResponses.CollectAsync(Client(Def("\"stream_format\": \"sse\", \"stream_done\": \"<END>\""), StreamResponses.Body(custom)).StreamAsync(new LlmRequest())), Is.EqualTo(new[] { "a" }));
    }

    [Test]
    public void InvalidJsonChunk_IsAStreamException()
    {
        var body = "data: {\"choices\":[{\"delta\":{\"content\":\"ok\"}}]}\n\ndata: {\"choices\":[{\"delta\":{\"content\":\"bro\n\n";
        var e = Assert.ThrowsAsync<LlmStreamException>(() => StreamResponses.CollectAsync(Client(Def("\"stream_format\": \"sse\""), StreamResponses.Body(body)).StreamAsync(new LlmRequest())))!;
        Assert.That(e.Message, Does.Contain("not valid JSON").And.Contain("\"ok\""));
        Assert.That(e.ReceivedText, Is.EqualTo("ok"));
    }

    [Test]
    public void VendorErrorInsideStream_IsRaisedWithVendorMessage()
    {
        const string Body = "event: content_block_delta\ndata: {\"delta\":{\"text\":\"part\"}}\n\nevent: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n";
        var definition = """
            { "name": "t", "chat": { "path": "/m", "apitype": "stream", "stream_format": "sse",
              "resp": [ { "name": "content", "value": "delta.text" } ],
              "error": { "message": "error.message" } } }
            """;
        var e = Assert.ThrowsAsync<LlmStreamException>(() => StreamResponses.CollectAsync(Client(definition, StreamResponses.Body(Body)).StreamAsync(new LlmRequest())))!;
        Assert.That(e.VendorMessage, Is.EqualTo("Overloaded"));
        Assert.That(e.ReceivedText, Is.EqualTo("part"));
    }

    [Test]
    public void OversizedLine_IsAnError_NotOutOfMemory()
    {
        var body = "data: {\"choices\":[{\"delta\":{\"content\":\"" + new string('x', 100_000) + "\"}}]}\n\n";
        var e = Assert.ThrowsAsync<LlmStreamException>(() => StreamResponses.CollectAsync(
            Client(Def("\"stream_format\": \"sse\""), StreamResponses.Body(body), p => p.MaxStreamLineBytes = 10_000).StreamAsync(new LlmRequest())))!;
        Assert.That(e.Message, Does.Contain("longer than the limit of 10000 bytes"));
    }

    [Test]
    public async Task JsonEscapes_AndSurrogatePairs_AreDecoded()
    {
        const string Body = "{\"m\":\"\\u4f60\\u597d \\ud83d\\ude00 \\\"q\\\" \\n\"}\n{\"m\":\"\\/ok\"}\n";
        var definition = Def("\"stream_format\": \"lines\"", """[ { "name": "content", "value": "m" } ]""");
        var pieces = await StreamResponses.CollectAsync(Client(definition, StreamResponses.Body(Body, "application/x-ndjson")).StreamAsync(new LlmRequest()));
        Assert.That(pieces, Is.EqualTo(new[] { "你好 😀 \"q\" \n", "/ok" }));
    }

    [Test]
    public async Task PlainTextPayloads_AreYieldedAsText()
    {
        const string Body = "data: 你好\n\ndata: world\n\ndata: [DONE]\n\n";
        var pieces = await StreamResponses.CollectAsync(Client(Def("\"stream_format\": \"sse\""), StreamResponses.Body(Body)).StreamAsync(new LlmRequest()));
        Assert.That(pieces, Is.EqualTo(new[] { "你好", "world" }));
    }

    [Test]
    public async Task Cumulative_YieldsOnlyNewText()
    {
        const string Body = """
            data:{"output":{"text":"你"}}

            data:{"output":{"text":"你好"}}

            data:{"output":{"text":"你好，世界"}}


            """;
        var definition = Def("\"stream_format\": \"sse\", \"stream_mode\": \"cumulative\"", """[ { "name": "content", "value": "output.text" } ]""");
        var client = Client(definition, StreamResponses.Body(Body));
        Assert.That(await StreamResponses.CollectAsync(client.StreamAsync(new LlmRequest())), Is.EqualTo(new[] { "你", "好", "，世界" }));
        Assert.That((await Client(definition, StreamResponses.Body(Body)).CallAsync(new LlmRequest())).Text, Is.EqualTo("你好，世界"));
    }

    [Test]
    public async Task Cumulative_HandlesEscapesEmojiRepeatsAndRestarts_AndRejectsHalfASurrogate()
    {
        // Escapes and a surrogate pair split across chunks' new ends; a chunk that repeats the text adds nothing; a chunk
        // that does not start with the text so far (a vendor restarting its answer) is yielded whole.
        const string Body = """
            data:{"output":{"text":"a\"b"}}

            data:{"output":{"text":"a\"b\n😀"}}

            data:{"output":{"text":"a\"b\n😀"}}

            data:{"output":{"text":"a\"b\n😀\u4f60"}}

            data:{"output":{"text":"new"}}

            data:{"output":{"text":"new start"}}


            """;
        var definition = Def("\"stream_format\": \"sse\", \"stream_mode\": \"cumulative\"", """[ { "name": "content", "value": "output.text" } ]""");
        Assert.That(
            await StreamResponses.CollectAsync(Client(definition, StreamResponses.Body(Body)).StreamAsync(new LlmRequest())),
            Is.EqualTo(new[] { "a\"b", "\n😀", "你", "new", " start" }));

        const string Broken = """
            data:{"output":{"text":"a"}}

            data:{"output":{"text":"a\ud83d"}}


            """;
        var error = Assert.ThrowsAsync<LlmStreamException>(async () => await StreamResponses.CollectAsync(Client(definition, StreamResponses.Body(Broken)).StreamAsync(new LlmRequest())));
        Assert.That(error!.ReceivedText, Is.EqualTo("a"));
    }

    [Test]
    public async Task Cumulative_Updates_KeepTheWholeTextSoFar_ReadAfterTheStream_WithoutCopyingItPerChunk()
    {
        // Each update's text item is the whole text so far, as its chunk says it, even when read after later chunks
        // grew the text or restarted it; and the whole text is not copied into every update (that would make a long
        // answer's allocation grow with the square of its length).
        const string Body = """
            data:{"output":{"text":"a\"b"}}

            data:{"output":{"text":"a\"b\n😀"}}

            data:{"output":{"text":"a\"b\n😀"}}

            data:{"output":{"text":"new"}}

            data:{"output":{"text":"new start"}}


            """;
        var definition = Def("\"stream_format\": \"sse\", \"stream_mode\": \"cumulative\"", """[ { "name": "content", "value": "output.text" } ]""");
        var updates = new List<LlmStreamUpdate>();
        await foreach (var update in Client(definition, StreamResponses.Body(Body)).StreamUpdatesAsync(new LlmRequest()))
        {
            updates.Add(update);
        }

        Assert.That(updates.Select(u => u.Text), Is.EqualTo(new[] { "a\"b", "\n😀", "", "new", " start" }));
        Assert.That(updates.Select(u => u.Fields["content"].GetString()), Is.EqualTo(new[] { "a\"b", "a\"b\n😀", "a\"b\n😀", "new", "new start" }));
        Assert.That(updates.Select(u => u.FieldText("content")), Is.EqualTo(new[] { "a\"b", "a\"b\n😀", "a\"b\n😀", "new", "new start" }));

        const int Chunks = 2_000;
        var body = new StringBuilder();
        for (var i = 1; i <= Chunks; i++)
        {
            body.Append("data:{\"output\":{\"text\":\"").Append('字', i).Append("\"}}\n\n");
        }

        var profile = new LlmProfile { Adapter = "t", BaseUrl = "https://vendor.test", Variables = { ["apikey"] = "sk-stream-secret" } };
        var client = LlmCatalog.FromJson(definition, "t.json").CreateClient(profile, new HttpClient(new FixedBodyHandler(Encoding.UTF8.GetBytes(body.ToString()))));
        var count = 0;
        var before = GC.GetAllocatedBytesForCurrentThread();
        await foreach (var update in client.StreamUpdatesAsync(new LlmRequest()))
        {
            count += update.Text.Length;
        }

        var perChunk = (GC.GetAllocatedBytesForCurrentThread() - before) / (double)Chunks;
        Assert.That(count, Is.EqualTo(Chunks));
        Assert.That(perChunk, Is.LessThan(1_000), "bytes allocated per update; the text so far averages 3,000 bytes of UTF-8 here");
    }

    [Test]
    public async Task NegativeIndexPaths_WorkInStreams()
    {
        const string Body = "{\"parts\":[{\"t\":\"skip\"},{\"t\":\"last1\"}]}\n{\"parts\":[{\"t\":\"last2\"}]}\n";
        var definition = Def("\"stream_format\": \"lines\"", """[ { "name": "content", "value": "parts[-1].t" } ]""");
        Assert.That(await StreamResponses.CollectAsync(Client(definition, StreamResponses.Body(Body)).StreamAsync(new LlmRequest())), Is.EqualTo(new[] { "last1", "last2" }));
    }

    [Test]
    public async Task PathAlternatives_TakeTheFirstNonNullValue()
    {
        // Kimi puts streaming usage in choices[0].usage, OpenAI at the top level.
        const string Body = """
            data: {"choices":[{"delta":{"content":"a"},"usage":null}]}

            data: {"choices":[{"delta":{"content":"b"},"finish_reason":"stop","usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}}]}

            """;
        var definition = Def("\"stream_format\": \"sse\"", """[ { "name": "content", "value": "choices[0].delta.content" }, { "name": "usage", "value": "usage | choices[0].usage" } ]""");
        var response = await Client(definition, StreamResponses.Body(Body)).CallAsync(new LlmRequest());
        Assert.That(response.Text, Is.EqualTo("ab"));
        Assert.That(response.Usage, Is.EqualTo(new LlmUsage(1, 2, 3)));
    }

    [Test]
    public async Task EveryMethod_ReadsEveryChunkWhole_ABreakAfterTheTextFailsThemAll()
    {
        // The second chunk is broken after its text. However the stream is read, the chunk is read whole: StreamAsync
        // yields what came before it and then fails, as CallAsync and StreamUpdatesAsync do.
        const string Body = """
            data: {"choices":[{"delta":{"content":"a"},"finish_reason":null}]}

            data: {"choices":[{"delta":{"content":"b"},"finish_reason":nul}]}

            data: [DONE]

            """;
        var definition = Def("\"stream_format\": \"sse\"");
        var yielded = new List<string>();
        var streamed = Assert.ThrowsAsync<LlmStreamException>(async () =>
        {
            await foreach (var piece in Client(definition, StreamResponses.Body(Body)).StreamAsync(new LlmRequest()))
            {
                yielded.Add(piece);
            }
        });
        Assert.That(yielded, Is.EqualTo(new[] { "a" }));
        Assert.That(streamed!.Message, Does.Contain("not valid JSON"));

        var error = Assert.ThrowsAsync<LlmStreamException>(async () => await Client(definition, StreamResponses.Body(Body)).CallAsync(new LlmRequest()));
        Assert.That(error!.Message, Does.Contain("not valid JSON"));
        Assert.That(error.ReceivedText, Is.EqualTo("a"));
        Assert.ThrowsAsync<LlmStreamException>(async () => await StreamResponses.CollectAsync(Client(definition, StreamResponses.Body(Body)).StreamUpdatesAsync(new LlmRequest())));
    }

    [Test]
    public async Task StreamAsync_StillReadsWholeChunks_WithoutText_WithFilters_AndForALaterAlternative()
    {
        // A chunk without text is read whole: its in-band error is raised.
        const string ErrorBody = """
            data: {"choices":[{"delta":{"content":"a"}}]}

            data: {"choices":[],"error":{"message":"overloaded","code":"busy"}}

            """;
        var withError = Def("\"stream_format\": \"sse\", \"error\": { \"message\": \"error.message\", \"code\": \"error.code\" }");
        var error = Assert.ThrowsAsync<LlmStreamException>(async () => await StreamResponses.CollectAsync(Client(withError, StreamResponses.Body(ErrorBody)).StreamAsync(new LlmRequest())));
        Assert.That(error!.VendorMessage, Is.EqualTo("overloaded"));

        // A chunk_filter may test a key written after the text: with filters, every chunk is read whole.
        const string FilterBody = """
            data: {"reply":"a","final":false}

            data: {"reply":"ab","final":true}

            """;
        var filtered = Def("\"stream_format\": \"sse\", \"chunk_filter\": { \"name\": \"final\", \"op\": \"==\", \"value\": true, \"field\": \"content\" }", """[ { "name": "content", "value": "reply" } ]""");
        Assert.That(await StreamResponses.CollectAsync(Client(filtered, StreamResponses.Body(FilterBody)).StreamAsync(new LlmRequest())), Is.EqualTo(new[] { "a" }));

        // The first alternative found null: the reading goes on to the later alternative.
        const string AlternativeBody = """
            data: {"choices":[{"delta":{"content":null},"text":"x"}]}

            """;
        var alternatives = Def("\"stream_format\": \"sse\"", """[ { "name": "content", "value": "choices[0].delta.content | choices[0].text" } ]""");
        Assert.That(await StreamResponses.CollectAsync(Client(alternatives, StreamResponses.Body(AlternativeBody)).StreamAsync(new LlmRequest())), Is.EqualTo(new[] { "x" }));
    }

    [Test]
    public async Task JoinedItems_CollectTheirTextAcrossChunks()
    {
        const string Body = """
            data: {"choices":[{"delta":{"reasoning_content":"嗯，"}}]}

            data: {"choices":[{"delta":{"reasoning_content":"1+1。"}}]}

            data: {"choices":[{"delta":{"content":"2"}}]}

            """;
        var definition = Def("\"stream_format\": \"sse\"", """[ { "name": "content", "value": "choices[0].delta.content" }, { "name": "reasoning", "value": "choices[0].delta.reasoning_content", "join": true }, { "name": "last", "value": "choices[0].delta.reasoning_content" } ]""");
        var response = await Client(definition, StreamResponses.Body(Body)).CallAsync(new LlmRequest());
        Assert.That(response.Text, Is.EqualTo("2"));
        Assert.That(response.GetString("reasoning"), Is.EqualTo("嗯，1+1。"), "a joined item keeps every piece");
        Assert.That(response.GetString("last"), Is.EqualTo("1+1。"), "other items keep their last value");
    }

    [Test]
    public void JsonErrorBody_InsteadOfAStream_IsTheVendorsError()
    {
        var definition = """
            { "name": "t", "chat": { "path": "/c", "apitype": "stream", "stream_format": "sse",
              "resp": [ { "name": "content", "value": "choices[0].delta.content" } ],
              "error": { "message": "base_resp.status_msg", "code": "base_resp.status_code", "ok_codes": [0] } } }
            """;
        var handler = StreamResponses.Body("""{"base_resp":{"status_code":1008,"status_msg":"insufficient balance"}}""", "application/json");
        var e = Assert.ThrowsAsync<LlmHttpException>(() => Client(definition, handler).CallAsync(new LlmRequest()))!;
        Assert.That((e.StatusCode, e.VendorCode, e.VendorMessage), Is.EqualTo((200, "1008", "insufficient balance")));
    }

    [Test]
    public void HttpError_BeforeStream_IsAnHttpException()
    {
        var handler = RecordingHandler.Json("""{"error":{"message":"bad key sk-stream-secret"}}""", HttpStatusCode.Unauthorized);
        var e = Assert.ThrowsAsync<LlmHttpException>(() => StreamResponses.CollectAsync(Client(Def("\"stream_format\": \"sse\""), handler).StreamAsync(new LlmRequest())))!;
        Assert.That(e.StatusCode, Is.EqualTo(401));
        Assert.That(e.VendorMessage, Is.EqualTo("bad key ***"));
    }

    [Test]
    public async Task StreamRequest_IsBuiltLikeAnyOther()
    {
        var handler = StreamResponses.Body(StreamResponses.OpenAi(["x"]));
        await StreamResponses.CollectAsync(Client(Def("\"stream_format\": \"sse\""), handler).StreamAsync(new LlmRequest()));
        Assert.That(handler.Last.Url.AbsoluteUri, Is.EqualTo("https://vendor.test/chat"));
        Json.AssertEqual("""{"stream":true}""", handler.Last.Body!);
    }

    [Test]
    public async Task StreamUpdates_CarryUsageInTheLastChunk()
    {
        var updates = new List<LlmStreamUpdate>();
        await foreach (var u in Client(Def("\"stream_format\": \"sse\""), StreamResponses.Body(StreamResponses.OpenAi(["a", "b"]))).StreamUpdatesAsync(new LlmRequest()))
        {
            updates.Add(u);
        }

        Assert.That(updates.Select(u => u.Text), Is.EqualTo(new[] { "a", "b", "", "" }));
        Assert.That(updates[0].Fields["id"].GetString(), Is.EqualTo("c1"));
        Assert.That(updates[2].FinishReason, Is.EqualTo("stop"));
        Assert.That(updates[3].Usage, Is.EqualTo(new LlmUsage(5, 7, 12)));
        Assert.That(updates[3].Fields.ContainsKey("content"), Is.False, "a chunk without content does not report it");
    }

    [Test]
    public async Task BreakingOutEarly_DisposesTheResponse()
    {
        var content = new TrackingContent(StreamResponses.OpenAi(Pieces));
        var handler = RecordingHandler.Respond(() => new HttpResponseMessage(HttpStatusCode.OK) { Content = content });
        await foreach (var piece in Client(Def("\"stream_format\": \"sse\""), handler).StreamAsync(new LlmRequest()))
        {
            Assert.That(piece, Is.EqualTo(Pieces[0]));
            break;
        }

        Assert.That(content.Disposed, Is.True);
    }

    private sealed class TrackingContent(string body) : HttpContent
    {
        private readonly byte[] _bytes = System.Text.Encoding.UTF8.GetBytes(body);

        public bool Disposed { get; private set; }

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => stream.WriteAsync(_bytes).AsTask();

        protected override Task<Stream> CreateContentReadStreamAsync() => Task.FromResult<Stream>(new MemoryStream(_bytes));

        protected override bool TryComputeLength(out long length)
        {
            length = _bytes.Length;
            return true;
        }

        protected override void Dispose(bool disposing)
        {
            Disposed = true;
            base.Dispose(disposing);
        }
    }
}
