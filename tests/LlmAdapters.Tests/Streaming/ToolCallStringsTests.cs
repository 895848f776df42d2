using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace LlmAdapters.Tests.Streaming;

/// <summary>
/// Tool-call pieces are checked where they are read: a string of a call that is not text fails the stream, and bytes that
/// no item reads (Anthropic's tool_calls item reads the whole event, "$") fail neither StreamAsync nor CallAsync.
/// </summary>
public class ToolCallStringsTests
{
    private static string Body(string toolName, string typeOfDelta) =>
        "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"model\":\"claude\",\"usage\":{\"input_tokens\":3,\"output_tokens\":1}}}\n\n"
        + "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"" + typeOfDelta + "\",\"text\":\"Hi\"}}\n\n"
        + "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":1,\"content_block\":{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"" + toolName + "\",\"input\":{}}}\n\n"
        + "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{}\"}}\n\n"
        + "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\"},\"usage\":{\"output_tokens\":5}}\n\n"
        + "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";

    private static ILlmClient Client(byte[] body) => LlmCatalog.BuiltIn.CreateClient(
        new LlmProfile { Adapter = "anthropic", BaseUrl = "https://vendor.test", Variables = { ["apikey"] = "k", ["model"] = "claude" } },
        new HttpClient(new FixedBody(body)));

    private static byte[] WithInvalidByte(string body)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        bytes[Array.IndexOf(bytes, (byte)'#')] = 0xFF;
        return bytes;
    }

    [Test]
    public async Task A_value_no_item_reads_fails_no_method()
    {
        var body = WithInvalidByte(Body("get_weather", "text_#delta"));
        var streamed = new StringBuilder();
        await foreach (var piece in Client(body).StreamAsync(new LlmRequest { Prompt = "p" }))
        {
            streamed.Append(piece);
        }

        var response = await Client(body).CallAsync(new LlmRequest { Prompt = "p" });
        Assert.That(streamed.ToString(), Is.EqualTo("Hi"));
        Assert.That(response.Text, Is.EqualTo("Hi"));
        Assert.That(response.ToolCalls.Select(c => c.Name), Is.EqualTo(new[] { "get_weather" }));
    }

    [TestCase("get_#weather")]
    [TestCase("\\ud800")]
    public void A_tool_name_that_is_not_text_fails_the_calls_that_read_tool_calls(string name)
    {
        var body = name.Contains('#') ? WithInvalidByte(Body(name, "text_delta")) : Encoding.UTF8.GetBytes(Body(name, "text_delta"));
        var e = Assert.ThrowsAsync<LlmStreamException>(() => Client(body).CallAsync(new LlmRequest { Prompt = "p" }))!;
        Assert.That(e.Message, Does.Contain("not text"));
        Assert.ThrowsAsync<LlmStreamException>(async () =>
        {
            await foreach (var update in Client(body).StreamUpdatesAsync(new LlmRequest { Prompt = "p" }))
            {
            }
        });
    }

    private sealed class FixedBody(byte[] body) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var content = new ByteArrayContent(body);
            content.Headers.ContentType = new MediaTypeHeaderValue("text/event-stream");
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = content, RequestMessage = request });
        }
    }
}
