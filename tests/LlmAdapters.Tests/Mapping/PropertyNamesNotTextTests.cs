using System.Net;
using System.Text;
using System.Text.Json;
using LlmAdapters.Mapping;
using LlmAdapters.Tests.TestSupport;

namespace LlmAdapters.Tests.Mapping;

/// <summary>
/// A vendor's JSON whose property name is not text: an escaped half of a surrogate pair (<c>"\ud83d"</c>), valid JSON
/// that the reader accepts but cannot unescape. Comparing it with the names a path looks for threw the reader's
/// InvalidOperationException out of CallAsync, StreamAsync and StreamUpdatesAsync. Now such a name matches no path, as
/// an unknown key: the answer is exact. A mapped value that holds one is still not text, and an LlmException.
/// </summary>
public class PropertyNamesNotTextTests
{
    private const string Bad = "\"\\ud83d\":1,";

    // Longer than any name looked for: the reader compares an escaped name's text only when its length could match.
    private const string LongBad = "\"\\ud83d0123456789abc\":1,";

    private static ILlmClient Client(string adapter, string body, string contentType, HttpStatusCode status = HttpStatusCode.OK)
    {
        var http = new HttpClient(new StatusBodyHandler(Encoding.UTF8.GetBytes(body), contentType, status));
        return LlmCatalog.BuiltIn.CreateClient(new LlmProfile { Adapter = adapter, BaseUrl = "https://vendor.test/v1", Variables = { ["apikey"] = "sk-names", ["model"] = "m" }, Retry = new LlmRetryOptions { MaxRetries = 0 } }, http);
    }

    [TestCase("{" + Bad + "\"choices\":[{\"message\":{\"role\":\"assistant\",\"content\":\"hi\"},\"finish_reason\":\"stop\"}]}")]
    [TestCase("{\"choices\":[{" + Bad + "\"message\":{\"role\":\"assistant\",\"content\":\"hi\"},\"finish_reason\":\"stop\"}]}")]
    [TestCase("{\"choices\":[{\"message\":{\"role\":\"assistant\"," + Bad + "\"content\":\"hi\"},\"finish_reason\":\"stop\"}],\"\\udc00\":2}")]
    public async Task A_sync_answer_with_a_name_that_is_not_text_outside_its_values_is_read_exactly(string body)
    {
        var response = await Client("openai", body, "application/json").CallAsync(new LlmRequest { Call = "chat_sync", Prompt = "x" });

        Assert.That(response.Text, Is.EqualTo("hi"));
        Assert.That(response.FinishReason, Is.EqualTo("stop"));
    }

    [Test]
    public void A_mapped_value_holding_a_name_that_is_not_text_is_an_LlmException_naming_its_item()
    {
        var body = "{\"choices\":[{\"message\":{\"role\":\"assistant\",\"content\":\"hi\"},\"finish_reason\":\"stop\"}],\"usage\":{" + Bad + "\"prompt_tokens\":3}}";

        var e = Assert.ThrowsAsync<LlmException>(() => Client("openai", body, "application/json").CallAsync(new LlmRequest { Call = "chat_sync", Prompt = "x" }));

        Assert.That(e!.Message, Does.Contain("'usage'").And.Contain("not valid text"));
    }

    [TestCase("{" + Bad + "\"choices\":[{\"delta\":{\"content\":\"hi\"}}]}")]
    [TestCase("{\"choices\":[{\"delta\":{\"content\":\"hi\"}}],\"\\ud83d\":1}")]
    [TestCase("{\"choices\":[{\"\\udc00x\":2,\"delta\":{" + Bad + "\"content\":\"hi\"}}]}")]
    public async Task A_stream_chunk_with_such_a_name_gives_its_text_through_every_method(string chunk)
    {
        var body = "data: " + chunk + "\n\ndata: {\"choices\":[{\"delta\":{\"content\":\" there\"},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n";

        var pieces = new StringBuilder();
        await foreach (var piece in Client("openai", body, "text/event-stream").StreamAsync(new LlmRequest { Prompt = "x" }))
        {
            pieces.Append(piece);
        }

        var updates = new StringBuilder();
        await foreach (var update in Client("openai", body, "text/event-stream").StreamUpdatesAsync(new LlmRequest { Prompt = "x" }))
        {
            updates.Append(update.Text);
        }

        var whole = await Client("openai", body, "text/event-stream").CallAsync(new LlmRequest { Prompt = "x" });

        Assert.That(pieces.ToString(), Is.EqualTo("hi there"));
        Assert.That(updates.ToString(), Is.EqualTo("hi there"));
        Assert.That(whole.Text, Is.EqualTo("hi there"));
    }

    [Test]
    public async Task An_ndjson_stream_with_such_a_name_gives_its_text()
    {
        var body = "{" + Bad + "\"message\":{\"role\":\"assistant\",\"content\":\"hi\"},\"done\":false}\n{\"message\":{\"role\":\"assistant\",\"content\":\"\"},\"done\":true}\n";

        var text = new StringBuilder();
        await foreach (var piece in Client("ollama", body, "application/x-ndjson").StreamAsync(new LlmRequest { Prompt = "x" }))
        {
            text.Append(piece);
        }

        Assert.That(text.ToString(), Is.EqualTo("hi"));
    }

    [Test]
    public async Task Embeddings_with_such_a_name_are_read_exactly()
    {
        var body = "{" + LongBad + "\"object\":\"list\",\"data\":[{" + LongBad + "\"object\":\"embedding\",\"index\":0,\"embedding\":[0.5,0.25]}],\"model\":\"m\"}";

        var response = await Client("openai", body, "application/json").CallAsync(new LlmRequest { Call = "embeddings", Inputs = ["a"] });

        Assert.That(response.Embeddings.Single().ToArray(), Is.EqualTo(new[] { 0.5f, 0.25f }));
    }

    [Test]
    public void An_error_body_with_such_a_name_is_the_LlmHttpException_of_its_status()
    {
        var body = "{\"error\":{" + Bad + "\"message\":\"bad request\",\"type\":\"invalid_request_error\"}}";

        var e = Assert.ThrowsAsync<LlmHttpException>(() => Client("openai", body, "application/json", HttpStatusCode.BadRequest).CallAsync(new LlmRequest { Call = "chat_sync", Prompt = "x" }));

        Assert.That(e!.StatusCode, Is.EqualTo(400));
    }

    [Test]
    public void A_key_path_looks_past_such_names_and_keeps_the_last_of_duplicate_keys_as_TryGetProperty_does()
    {
        using var document = JsonDocument.Parse("{\"\\ud83d\":0,\"a\":{\"b\":1,\"\\udc00\":2,\"b\":3},\"c\":[{\"\\ud800\":4,\"d\":5}]}");

        Assert.That(KeyPath.Parse("a.b").TryEvaluate(document.RootElement, out var b), Is.True);
        Assert.That(b.GetInt32(), Is.EqualTo(3));
        Assert.That(KeyPath.Parse("c[0].d").TryEvaluate(document.RootElement, out var d), Is.True);
        Assert.That(d.GetInt32(), Is.EqualTo(5));
        Assert.That(KeyPath.Parse("a.x").TryEvaluate(document.RootElement, out _), Is.False);
    }

    [Test]
    public void ToolCallArgumentsThatAreNotText_AreAnLlmException_InASyncAnswer()
    {
        // The arguments string holds JSON whose name and value are escaped halves of surrogate pairs: no string of them
        // could be given to the function, and writing the calls threw the reader's InvalidOperationException.
        var body = """{"choices":[{"message":{"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function","function":{"name":"f","arguments":"{\"\\ud800\":1,\"a\":\"\\udc00\"}"}}]},"finish_reason":"tool_calls"}]}""";

        var e = Assert.ThrowsAsync<LlmException>(() => Client("openai", body, "application/json").CallAsync(new LlmRequest { Call = "chat_sync", Prompt = "x", Tools = [Tool] }));

        Assert.That(e!.Message, Does.Contain("tool call 'f'").And.Contain("not text"));
    }

    [Test]
    public void StreamedToolCallArgumentsThatAreNotText_FailTheStream_AsAnLlmException()
    {
        var body = string.Concat(
            "data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"c1\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"\"}}]}}]}\n\n",
            "data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"\\\\ud800\\\":\"}}]}}]}\n\n",
            "data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"1}\"}}]}}]}\n\n",
            "data: {\"choices\":[{\"delta\":{},\"finish_reason\":\"tool_calls\"}]}\n\n",
            "data: [DONE]\n\n");

        var updates = Assert.ThrowsAsync<LlmStreamException>(async () =>
        {
            await foreach (var update in Client("openai", body, "text/event-stream").StreamUpdatesAsync(new LlmRequest { Prompt = "x", Tools = [Tool] }))
            {
                _ = update.ToolCalls;
            }
        });
        var call = Assert.CatchAsync<LlmException>(() => Client("openai", body, "text/event-stream").CallAsync(new LlmRequest { Prompt = "x", Tools = [Tool] }));

        Assert.That(updates!.Message, Does.Contain("not text"));
        Assert.That(call!.Message, Does.Contain("not text"));
    }

    [Test]
    public void ToolParametersOrASchemaThatAreNotText_FailBeforeSending_AsAnLlmRequestException()
    {
        // The caller's own JSON: writing it into the body threw the reader's InvalidOperationException.
        using var parameters = JsonDocument.Parse("""{"type":"object","properties":{"\ud800":{"type":"string"}}}""");
        var client = Client("openai", "{}", "application/json");

        var tool = Assert.ThrowsAsync<LlmRequestException>(() => client.CallAsync(new LlmRequest { Call = "chat_sync", Prompt = "x", Tools = [new LlmTool("f", null, parameters.RootElement.Clone())] }));
        var schema = Assert.ThrowsAsync<LlmRequestException>(() => client.CallAsync(new LlmRequest { Call = "chat_sync", Prompt = "x", ResponseFormat = LlmResponseFormat.JsonSchema("s", parameters.RootElement.Clone()) }));

        Assert.That(tool!.Message, Does.Contain("tool 'f'").And.Contain("not text"));
        Assert.That(schema!.Message, Does.Contain("schema").And.Contain("not text"));
    }

    private static readonly LlmTool Tool = new("f", "a function", JsonDocument.Parse("""{"type":"object","properties":{"a":{"type":"string"}}}""").RootElement.Clone());

    /// <summary>Answers every request with the same bytes and status.</summary>
    private sealed class StatusBodyHandler(byte[] body, string contentType, HttpStatusCode status) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var content = new ByteArrayContent(body);
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
            return Task.FromResult(new HttpResponseMessage(status) { Content = content, RequestMessage = request });
        }
    }
}
