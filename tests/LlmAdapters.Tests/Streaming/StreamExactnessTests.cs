using System.Net;
using LlmAdapters.Tests.TestSupport;

namespace LlmAdapters.Tests.Streaming;

/// <summary>The exactness rules of stream calls: the whole answer or an LlmException saying what arrived, on every method.</summary>
public class StreamExactnessTests
{
    private const string OpenAiStream = """{ "name": "t", "chat": { "path": "/chat", "apitype": "stream", "stream_format": "sse", "resp": [ { "name": "content", "value": "choices[0].delta.content" }, { "name": "finish_reason", "value": "choices[0].finish_reason" } ] } }""";

    private static ILlmClient Client(string definition, RecordingHandler handler, Action<LlmProfile>? configure = null)
    {
        var profile = new LlmProfile { Adapter = "t", BaseUrl = "https://vendor.test" };
        configure?.Invoke(profile);
        return LlmCatalog.FromJson(definition, "t.json").CreateClient(profile, handler.Mock);
    }

    /// <summary>The text of every method for the same body: StreamAsync joined, StreamUpdatesAsync joined, CallAsync.</summary>
    private static async Task<string[]> AllMethodsAsync(Func<ILlmClient> client)
        => [
            string.Concat(await StreamResponses.CollectAsync(client().StreamAsync(new LlmRequest { Prompt = "hi" }))),
            string.Concat(await StreamResponses.CollectAsync(client().StreamUpdatesAsync(new LlmRequest { Prompt = "hi" }))),
            (await client().CallAsync(new LlmRequest { Prompt = "hi" })).Text,
        ];

    private static void AllMethodsRaise<T>(Func<ILlmClient> client, string messagePart)
        where T : LlmException
    {
        Assert.That(Assert.ThrowsAsync<T>(async () => await StreamResponses.CollectAsync(client().StreamAsync(new LlmRequest { Prompt = "hi" })))!.Message, Does.Contain(messagePart));
        Assert.That(Assert.ThrowsAsync<T>(async () => await StreamResponses.CollectAsync(client().StreamUpdatesAsync(new LlmRequest { Prompt = "hi" })))!.Message, Does.Contain(messagePart));
        Assert.That(Assert.ThrowsAsync<T>(async () => await client().CallAsync(new LlmRequest { Prompt = "hi" }))!.Message, Does.Contain(messagePart));
    }

    [Test]
    public async Task SseEvent_WithSeveralDataLines_EachAWholeJsonChunk_IsReadAsOneChunkPerLine()
    {
        // Some vendors send their chunks as data lines with no blank line between them.
        const string Body = """
            data: {"choices":[{"delta":{"content":"Hel"}}]}
            data: {"choices":[{"delta":{"content":"lo"}}]}
            data: {"choices":[{"delta":{"content":", world"},"finish_reason":"stop"}]}

            """;
        Assert.That(await AllMethodsAsync(() => Client(OpenAiStream, StreamResponses.Body(Body))), Is.All.EqualTo("Hello, world"));
        Assert.That(await StreamResponses.CollectAsync(Client(OpenAiStream, StreamResponses.Body(Body)).StreamAsync(new LlmRequest())), Is.EqualTo(new[] { "Hel", "lo", ", world" }));
        Assert.That((await Client(OpenAiStream, StreamResponses.Body(Body)).CallAsync(new LlmRequest())).FinishReason, Is.EqualTo("stop"));
    }

    [Test]
    public async Task SseEvent_WithOneJsonValueOverSeveralDataLines_IsJoinedWithNewlines()
    {
        const string Body = "data: {\"choices\":[{\"delta\":\ndata: {\"content\":\"joined\"}}]}\n\n";
        Assert.That(await AllMethodsAsync(() => Client(OpenAiStream, StreamResponses.Body(Body))), Is.All.EqualTo("joined"));
    }

    [Test]
    public async Task TextPayloads_AreTheBytesAsSent_SpacesAndLineBreaksIncluded()
    {
        const string Sse = """{ "name": "t", "chat": { "path": "/chat", "apitype": "stream", "stream_format": "sse" } }""";
        const string Body = "data:  leading\n\ndata: trailing  \n\ndata: two\ndata: lines\n\ndata: \tTab\n\n";
        Assert.That(await AllMethodsAsync(() => Client(Sse, StreamResponses.Body(Body))), Is.All.EqualTo(" leadingtrailing  two\nlines\tTab"));

        const string Raw = """{ "name": "t", "chat": { "path": "/chat", "apitype": "stream", "stream_format": "raw" } }""";
        Assert.That(await AllMethodsAsync(() => Client(Raw, StreamResponses.Body("  \n spaced \n\n", "text/plain"))), Is.All.EqualTo("  \n spaced \n\n"));
    }

    [Test]
    public void ErrorKey_AfterTheText_InTheSameChunk_FailsEveryMethod()
    {
        var definition = OpenAiStream.Replace("\"resp\"", "\"error\": { \"message\": \"error.message\", \"code\": \"error.code\" }, \"resp\"", StringComparison.Ordinal);
        const string Body = "data: {\"choices\":[{\"delta\":{\"content\":\"partial\"}}],\"error\":{\"message\":\"overloaded\",\"code\":\"busy\"}}\n\n";
        AllMethodsRaise<LlmStreamException>(() => Client(definition, StreamResponses.Body(Body)), "overloaded");
    }

    [Test]
    public void InvalidUtf8_NestedInAMappedObject_FailsEveryMethod()
    {
        var definition = OpenAiStream.Replace("\"resp\": [", "\"resp\": [ { \"name\": \"usage\", \"value\": \"usage\" },", StringComparison.Ordinal);
        byte[] body = [.. "data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}],\"usage\":{\"note\":\"x"u8, 0xFF, .. "\"}}\n\n"u8];
        AllMethodsRaise<LlmStreamException>(() => Client(definition, RecordingHandler.Respond(() => new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(body) { Headers = { ContentType = new("text/event-stream") } } })), "not text");
    }

    [Test]
    public void InvalidUtf8_InAValueThatChanges_AfterChunksThatRepeatTheRest_FailsEveryMethod()
    {
        // The chunks before have the same shape (so the last is found from them, ScanMemo), and the same usage until the
        // last one, whose changed value must be checked again.
        var definition = OpenAiStream.Replace("\"resp\": [", "\"resp\": [ { \"name\": \"usage\", \"value\": \"usage\" },", StringComparison.Ordinal);
        byte[] body =
        [
            .. "data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}],\"usage\":{\"note\":\"xy\"}}\n\n"u8,
            .. "data: {\"choices\":[{\"delta\":{\"content\":\"bc\"}}],\"usage\":{\"note\":\"xy\"}}\n\n"u8,
            .. "data: {\"choices\":[{\"delta\":{\"content\":\"d\"}}],\"usage\":{\"note\":\"x"u8, 0xFF, .. "\"}}\n\n"u8,
        ];
        AllMethodsRaise<LlmStreamException>(() => Client(definition, RecordingHandler.Respond(() => new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(body) { Headers = { ContentType = new("text/event-stream") } } })), "not text");
    }

    [Test]
    public void AValueAnItemsConverterRejects_FailsEveryMethod_ThoughTheTextsConverterReadsTheSameKind()
    {
        // gemini_thoughts reads what gemini_text reads; here it reads another value, which it rejects (not a list): the
        // text reading's success on its own value must not stand for it.
        const string Definition = """
            { "name": "t", "chat": { "path": "/chat", "apitype": "stream", "stream_format": "sse", "resp": [
              { "name": "content", "value": "a", "converter": "gemini_text" }, { "name": "reasoning", "value": "b", "converter": "gemini_thoughts" } ] } }
            """;
        const string Body = "data: {\"a\":[{\"text\":\"x\"}],\"b\":[{\"text\":\"y\",\"thought\":true}]}\n\ndata: {\"a\":[{\"text\":\"z\"}],\"b\":5}\n\n";
        AllMethodsRaise<LlmException>(() => Client(Definition, StreamResponses.Body(Body)), "gemini_thoughts takes a list");
    }

    [Test]
    public void AConverterItem_ThatChanges_AfterRepeatingChunks_IsCheckedAgain()
    {
        // The converter item keeps the same bytes for three chunks (converted once, then known accepted while they stay
        // the same), then only its value changes, to one of the same length that the converter rejects: every method
        // raises it, StreamAsync (which keeps no field but still checks each one) included.
        const string Definition = """
            { "name": "t", "chat": { "path": "/chat", "apitype": "stream", "stream_format": "sse", "resp": [
              { "name": "content", "value": "a" }, { "name": "n", "value": "n", "converter": "int" } ] } }
            """;
        const string Body = "data: {\"a\":\"1\",\"n\":\"12\"}\n\ndata: {\"a\":\"2\",\"n\":\"12\"}\n\ndata: {\"a\":\"3\",\"n\":\"12\"}\n\n"
            + "data: {\"a\":\"4\",\"n\":\"ab\"}\n\n";
        AllMethodsRaise<LlmException>(() => Client(Definition, StreamResponses.Body(Body)), "'ab' is not an integer");
    }

    [Test]
    public async Task JsonBody_OnAStreamCall_IsTheAnswer_WhenItHasTheTextPath()
    {
        // Ollama answers {"message":{"content":...}} whole when it ignores "stream": true.
        var ollama = LlmCatalog.BuiltIn;
        var client = () => ollama.CreateClient(new LlmProfile { Adapter = "ollama", BaseUrl = "http://127.0.0.1:1", Variables = { ["model"] = "m" } }, RecordingHandler.Json("""{"model":"m","message":{"role":"assistant","content":"whole answer"},"done":true,"done_reason":"stop"}""").Mock);
        Assert.That(await AllMethodsAsync(client), Is.All.EqualTo("whole answer"));
        Assert.That((await client().CallAsync(new LlmRequest { Prompt = "hi" })).FinishReason, Is.EqualTo("stop"));
    }

    [Test]
    public void JsonBody_OnAStreamCall_WithoutTheTextPath_IsAnHttpException_WithAnExcerpt()
    {
        // An OpenAI-compatible host that ignores "stream": true answers a chat.completion (message, not delta).
        const string Body = """{"id":"x","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}]}""";
        var client = () => Client(OpenAiStream, RecordingHandler.Json(Body));
        AllMethodsRaise<LlmHttpException>(client, "chat.completion");
        var e = Assert.ThrowsAsync<LlmHttpException>(async () => await client().CallAsync(new LlmRequest()))!;
        Assert.That(e.StatusCode, Is.EqualTo(200));
        Assert.That(e.Message, Does.Contain("JSON body instead of the stream").And.Contain("choices[0].delta.content"));
    }

    /// <summary>Every shipped adapter's stream calls: an HTML page, an empty body, or a body with no chunk is raised, never an empty answer.</summary>
    [TestCase("text/html", "<!DOCTYPE html><html><body>502 Bad Gateway</body></html>", "text/html")]
    [TestCase("text/event-stream", "", "empty body")]
    [TestCase("text/plain", "", "empty body")]
    [TestCase("image/png", "\u0089PNG", "image/png")]
    public void EveryShippedStreamCall_RaisesABodyItCannotRead(string contentType, string body, string messagePart)
    {
        var catalog = LlmCatalog.BuiltIn;
        var checkedCalls = 0;
        foreach (var adapter in catalog.Adapters)
        {
            foreach (var call in catalog.Describe(adapter).Where(c => c.ApiType == LlmApiType.Stream))
            {
                var client = () => catalog.CreateClient(
                    new LlmProfile { Adapter = adapter, BaseUrl = "http://127.0.0.1:1", Variables = { ["apikey"] = "id.secret", ["model"] = "m", ["groupid"] = "g", ["deployment"] = "d", ["region"] = "us-east-1", ["aws_access_key_id"] = "AKIDEXAMPLE", ["aws_secret_access_key"] = "secret-for-tests", ["secret_key"] = "secret-for-tests" } },
                    StreamResponses.Body(body, contentType).Mock);
                var e = Assert.ThrowsAsync<LlmHttpException>(async () => await StreamResponses.CollectAsync(client().StreamAsync(new LlmRequest { Call = call.Name, Prompt = "hi" })), $"{adapter}.{call.Name}")!;
                Assert.That(e.Message, Does.Contain(messagePart), $"{adapter}.{call.Name}");
                Assert.ThrowsAsync<LlmHttpException>(async () => await client().CallAsync(new LlmRequest { Call = call.Name, Prompt = "hi" }), $"{adapter}.{call.Name}");
                checkedCalls++;
            }
        }

        Assert.That(checkedCalls, Is.GreaterThanOrEqualTo(9));
    }

    [Test]
    public void HtmlLines_OnAnNdjsonCall_AreNotTheAnswer()
    {
        const string Ndjson = """{ "name": "t", "chat": { "path": "/chat", "apitype": "stream", "stream_format": "lines", "resp": [ { "name": "content", "value": "message.content" } ] } }""";
        AllMethodsRaise<LlmStreamException>(() => Client(Ndjson, StreamResponses.Body("<html>\n<body>captive portal</body>\n</html>\n", "text/plain")), "not JSON");
    }

    [Test]
    public void CallAsync_OnAStreamLongerThanMaxResponseBytes_IsAStreamException()
    {
        var body = StreamResponses.OpenAi(Enumerable.Repeat("0123456789", 50));
        var e = Assert.ThrowsAsync<LlmStreamException>(async () => await Client(OpenAiStream, StreamResponses.Body(body), p => p.MaxResponseBytes = 200).CallAsync(new LlmRequest()))!;
        Assert.That(e.Message, Does.Contain("MaxResponseBytes"));
        Assert.That(e.ReceivedText, Has.Length.EqualTo(200));

        // StreamAsync hands each piece on and keeps none, so it is not bounded by it.
        Assert.DoesNotThrowAsync(async () => await StreamResponses.CollectAsync(Client(OpenAiStream, StreamResponses.Body(body), p => p.MaxResponseBytes = 200).StreamAsync(new LlmRequest())));
    }

    [Test]
    public void JoinedItem_LongerThanMaxResponseBytes_IsAStreamException_OnEveryMethod()
    {
        var definition = OpenAiStream.Replace("\"resp\": [", "\"resp\": [ { \"name\": \"reasoning\", \"value\": \"choices[0].delta.reasoning_content\", \"join\": true },", StringComparison.Ordinal);
        var body = string.Concat(Enumerable.Repeat("data: {\"choices\":[{\"delta\":{\"reasoning_content\":\"thinking...\"}}]}\n\n", 40));
        var e = Assert.ThrowsAsync<LlmStreamException>(async () => await Client(definition, StreamResponses.Body(body), p => p.MaxResponseBytes = 100).CallAsync(new LlmRequest()))!;
        Assert.That(e.Message, Does.Contain("'reasoning'").And.Contain("MaxResponseBytes"));
    }
}

/// <summary>The rule for sync answers: a 2xx body without the call's text item is no answer.</summary>
public class SyncAnswerExactnessTests
{
    private const string Chat = """{ "name": "t", "chat": { "path": "/chat", "apitype": "sync", "resp": [ { "name": "content", "value": "choices[0].message.content" }, { "name": "finish_reason", "value": "choices[0].finish_reason" } ] } }""";

    private static ILlmClient Client(string definition, RecordingHandler handler)
        => LlmCatalog.FromJson(definition, "t.json").CreateClient(new LlmProfile { Adapter = "t", BaseUrl = "https://vendor.test" }, handler.Mock);

    [TestCase("{}")]
    [TestCase("""{"choices":[]}""")]
    [TestCase("[1,2,3]")]
    [TestCase("""{"choices":[{"message":{}}]}""")]
    public void BodyWithoutTheTextItem_IsAnHttpException_QuotingTheBody(string body)
    {
        var e = Assert.ThrowsAsync<LlmHttpException>(async () => await Client(Chat, RecordingHandler.Json(body)).CallAsync(new LlmRequest()))!;
        Assert.That(e.StatusCode, Is.EqualTo(200));
        Assert.That(e.Message, Does.Contain("without the call's text item 'content'").And.Contain(body));
    }

    [Test]
    public void EmptyBody_IsAnHttpException()
    {
        var handler = StreamResponses.Body(string.Empty, "application/json");
        var e = Assert.ThrowsAsync<LlmHttpException>(async () => await Client(Chat, handler).CallAsync(new LlmRequest()))!;
        Assert.That(e.Message, Does.Contain("empty body"));
    }

    [TestCase("""{"choices":[{"message":{"content":null},"finish_reason":"content_filter"}]}""", "content_filter")]
    [TestCase("""{"choices":[{"message":{"content":""},"finish_reason":"stop"}]}""", "stop")]
    public async Task ExplicitNullOrEmptyText_IsAValidEmptyAnswer(string body, string finish)
    {
        var response = await Client(Chat, RecordingHandler.Json(body)).CallAsync(new LlmRequest());
        Assert.That(response.Text, Is.Empty);
        Assert.That(response.FinishReason, Is.EqualTo(finish));
    }

    [Test]
    public async Task CallsThatMapNoTextItem_AreNotAffected()
    {
        const string Models = """{ "name": "t", "chat": { "path": "/models", "apitype": "sync", "method": "GET", "resp": [ { "name": "data", "value": "data" } ] } }""";
        var response = await Client(Models, RecordingHandler.Json("{}")).CallAsync(new LlmRequest());
        Assert.That(response.Fields["data"].ValueKind, Is.EqualTo(System.Text.Json.JsonValueKind.Null));
    }
}
