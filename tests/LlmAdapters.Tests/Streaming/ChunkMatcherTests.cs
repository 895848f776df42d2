using System.Text;
using LlmAdapters.Internal;
using LlmAdapters.Streaming;

namespace LlmAdapters.Tests.Streaming;

public class ChunkMatcherTests
{
    [TestCase("data: (.*)", true)]
    [TestCase("data:(.*)", true)]
    [TestCase("^data: (.*)$", true)]
    [TestCase("(.*)", true)]
    [TestCase("\\[chunk\\] (.*)", true)]
    [TestCase("^data:\\s*(.*)$", false)]
    [TestCase("data: (\\{.*\\})", false)]
    public void CommonPrefixShape_RunsWithoutARegex(string pattern, bool literal)
    {
        Assert.That(ChunkMatcher.Create(pattern, SafeRegex.Create(pattern)).IsLiteralPrefix, Is.EqualTo(literal));
    }

    [TestCase("data: (.*)", "data: {\"a\":1}", "{\"a\":1}")]
    [TestCase("data: (.*)", "xdata: y", "y")]
    [TestCase("^data: (.*)", "xdata: y", null)]
    [TestCase("\\[chunk\\] (.*)", "[chunk] 你好", "你好")]
    [TestCase("^data:\\s*(.*)$", "data:    z", "z")]
    [TestCase("event: .*", "event: ping", "event: ping")]
    public void Match_GivesWhatTheRegexWouldCapture(string pattern, string line, string? expected)
    {
        var matcher = ChunkMatcher.Create(pattern, SafeRegex.Create(pattern));
        var bytes = Encoding.UTF8.GetBytes(line);
        var matched = matcher.TryMatch(bytes, out var start, out var length, out var decoded);
        Assert.That(matched ? decoded ?? Encoding.UTF8.GetString(bytes, start, length) : null, Is.EqualTo(expected));
        var regex = System.Text.RegularExpressions.Regex.Match(line, pattern);
        Assert.That(regex.Success ? (regex.Groups.Count > 1 ? regex.Groups[1].Value : regex.Value) : null, Is.EqualTo(expected), "same as System.Text.RegularExpressions");
    }

    [Test]
    public void UntrustedPatterns_RunLinearOrWithATimeout()
    {
        Assert.That(SafeRegex.Create("(a+)+$").Options.HasFlag(System.Text.RegularExpressions.RegexOptions.NonBacktracking), Is.True);
        var backtracking = SafeRegex.Create("(\\w)\\1");
        Assert.That(backtracking.MatchTimeout, Is.EqualTo(SafeRegex.MatchTimeout), "back-references need backtracking, bounded by a timeout");
    }

    [Test]
    public async Task BacktrackingPattern_TimingOutOnALongLine_IsAStreamError_WithTheTextBefore()
    {
        // The lookahead needs the backtracking engine; on a long line that ends in '!' the alternation backtracks
        // exponentially, far past the match timeout (250 ms), while ordinary lines match at once.
        const string Definition = """
            { "name": "t", "chat": { "path": "/chat", "apitype": "stream", "chunk_match": "^(?=data: )data: ((?:[^!]|[^!][^!])+)$",
              "resp": [ { "name": "content", "value": "choices[0].delta.content" } ] } }
            """;
        Assert.That(SafeRegex.Create("^(?=data: )data: ((?:[^!]|[^!][^!])+)$").Options.HasFlag(System.Text.RegularExpressions.RegexOptions.NonBacktracking), Is.False);
        var body = "data: {\"choices\":[{\"delta\":{\"content\":\"你好\"}}]}\n" + "data: " + new string('x', 5000) + "!\n";
        var client = LlmCatalog.FromJson(Definition, "t.json").CreateClient(new LlmProfile { Adapter = "t", BaseUrl = "https://vendor.test" }, TestSupport.StreamResponses.Body(body).Mock);

        var received = new List<string>();
        var e = Assert.ThrowsAsync<LlmStreamException>(async () =>
        {
            await foreach (var piece in client.StreamAsync(new LlmRequest { Prompt = "hi" }))
            {
                received.Add(piece);
            }
        })!;

        Assert.That(received, Is.EqualTo(new[] { "你好" }));
        Assert.That(e.ReceivedText, Is.EqualTo("你好"));
        Assert.That(e.Message, Does.Contain("the chunk_match pattern '^(?=data: )data: ((?:[^!]|[^!][^!])+)$' timed out").And.Contain("a line of 5007 bytes"));
        Assert.That(e.InnerException, Is.InstanceOf<System.Text.RegularExpressions.RegexMatchTimeoutException>());
    }
}
