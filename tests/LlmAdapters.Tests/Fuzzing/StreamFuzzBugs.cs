using System.Net;
using System.Text;
using LlmAdapters.Tests.TestSupport;

namespace LlmAdapters.Tests.Fuzzing;

/// <summary>
/// Minimal reproductions of the library bugs <see cref="StreamFuzzTests"/> found. Each is ignored until the engine is
/// fixed; then remove the Ignore and the bug's entry in <see cref="StreamFuzzTests.KnownBugs"/>.
/// </summary>
[Category("Fuzzing")]
public class StreamFuzzBugs
{
    private static ILlmClient Client(string keys, string resp, byte[] body, string contentType)
    {
        var definition = $$"""{ "name": "t", "chat": { "path": "/chat", "apitype": "stream", {{keys}}, "resp": {{resp}} } }""";
        var profile = new LlmProfile { Adapter = "t", BaseUrl = "https://vendor.test", MaxStreamLineBytes = StreamFuzzTests.MaxLine };
        return LlmCatalog.FromJson(definition, "t.json").CreateClient(profile, RecordingHandler.Respond(() =>
        {
            var content = new ByteArrayContent(body);
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = content };
        }).Mock);
    }

    /// <summary>Found by seed 20240603 (case 2, sse-openai insert-bytes; case 28, sse-openai unbalanced, for the joined field; case 138, sse-openai insert-bytes, and case 1583, lines-ndjson delete-span, for the surrogates).</summary>
    [TestCase("content", TestName = "InvalidUtf8_InTheTextOfAChunk_IsAnLlmStreamException (ChunkDecoder.ReadText)")]
    [TestCase("reasoning", TestName = "InvalidUtf8_InAJoinedItemOfAChunk_IsAnLlmStreamException (ChunkDecoder.StoreFields)")]
    [TestCase("low surrogate", TestName = "LoneLowSurrogateEscape_InTheTextOfAChunk_IsAnLlmStreamException (ChunkDecoder.ReadText)")]
    [TestCase("high surrogate", TestName = "LoneHighSurrogateEscape_InTheTextOfAChunk_IsAnLlmStreamException (ChunkDecoder.ReadText)")]
    public void InvalidUtf8_InAChunkString_IsAnLlmStreamException(string item)
    {
        // data: {"c":"a\xFF"}  -- one SSE event whose string has the byte 0xFF; or data: {"c":"a\uDFFD"} / {"c":"a\uD83D"}, an unpaired surrogate
        byte[] body = item switch
        {
            "low surrogate" => [.. "data: {\"c\":\"a\\uDFFD\"}\n\n"u8],
            "high surrogate" => [.. "data: {\"c\":\"a\\uD83D\"}\n\n"u8],
            _ => [.. "data: {\"c\":\"a"u8, 0xFF, .. "\"}\n\n"u8],
        };
        var resp = item != "reasoning"
            ? """[ { "name": "content", "value": "c" } ]"""
            : """[ { "name": "content", "value": "x" }, { "name": "reasoning", "value": "c", "join": true } ]""";
        var client = Client("\"stream_format\": \"sse\"", resp, body, "text/event-stream");

        // Every method reads every chunk whole: the bad bytes fail the stream however it is read.
        Assert.ThrowsAsync<LlmStreamException>(async () => await client.CallAsync(new LlmRequest()));
        Assert.ThrowsAsync<LlmStreamException>(async () => await StreamResponses.CollectAsync(client.StreamAsync(new LlmRequest())));
        Assert.ThrowsAsync<LlmStreamException>(async () => await StreamResponses.CollectAsync(client.StreamUpdatesAsync(new LlmRequest())));
    }

    /// <summary>Found by seed 20240603 (cases 2555, 2631 and 2636 of json-array; more with nested arrays): the thread spins at 100% CPU.</summary>
    [TestCase("[}]")]
    [TestCase("[{\"t\":\"a\"}}]")]
    [TestCase("[1}]")]
    public async Task JsonArray_StrayClosingBrace_IsAnLlmStreamException_NotAHang(string body)
    {
        var client = Client("\"stream_format\": \"json-array\"", """[ { "name": "content", "value": "t" } ]""", Encoding.UTF8.GetBytes(body), "application/json");

        // Bounded: the spin never awaits, so it runs on the thread pool and the test fails after 10 s instead of hanging.
        var error = await FuzzRun.RunBoundedAsync(token => StreamResponses.CollectAsync(client.StreamAsync(new LlmRequest(), token)));
        Assert.That(error, Is.InstanceOf<LlmStreamException>());
    }
}
