using LlmAdapters.Tests.TestSupport;

namespace LlmAdapters.Tests.Streaming;

public class ChunkFilterTests
{
    private static ILlmClient Client(string filter, string body)
        => LlmCatalog.FromJson($$"""
            { "name": "t", "chat": { "path": "/chat", "apitype": "stream", "stream_format": "sse",
              "chunk_filter": {{filter}},
              "resp": [ { "name": "content", "value": "choices[0].delta.content" } ] } }
            """, "t.json").CreateClient(new LlmProfile { Adapter = "t", BaseUrl = "https://vendor.test" }, StreamResponses.Body(body).Mock);

    [Test]
    public async Task RegexFilter_SkipsMatchingChunks()
    {
        var body = StreamResponses.OpenAi(["keep", "[skip] me", "also kept"]);
        var pieces = await StreamResponses.CollectAsync(Client("""{ "name": "choices[0].delta.content", "op": "regex", "value": "^\\[skip\\]" }""", body).StreamAsync(new LlmRequest()));
        Assert.That(pieces, Is.EqualTo(new[] { "keep", "also kept" }));
    }

    [Test]
    public void RegexFilter_TimingOutOnALongValue_IsAStreamError_NotAGuess()
    {
        // The lookahead needs the backtracking engine; on 5,000 'a's and a '!' the alternation backtracks past the timeout.
        const string Pattern = "^(?=a)(?:a|aa)+$";
        var body = StreamResponses.OpenAi(["短", new string('a', 5000) + "!", "never reached"]);
        var client = Client($$"""{ "name": "choices[0].delta.content", "op": "regex", "value": "{{Pattern}}" }""", body);

        var e = Assert.ThrowsAsync<LlmStreamException>(() => StreamResponses.CollectAsync(client.StreamAsync(new LlmRequest())))!;

        Assert.That(e.ReceivedText, Is.EqualTo("短"));
        Assert.That(e.Message, Does.Contain($"the chunk_filter regex '{Pattern}' on 'choices[0].delta.content' timed out").And.Contain("5001 characters"));
    }
}
