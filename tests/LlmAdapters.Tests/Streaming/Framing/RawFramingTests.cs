using System.Text;
using LlmAdapters.Streaming;

namespace LlmAdapters.Tests.Streaming.Framing;

/// <summary>stream_format "raw" (StreamSession.Raw.cs): the body is the text, decoded as UTF-8 across reads.</summary>
public class RawFramingTests
{
    private static readonly StreamPlan Plan = new(StreamFormat.Raw, null, null, false, false, new LlmAdapters.Mapping.ResponseMap([]), [], LlmAdapters.Mapping.ErrorMap.Default);

    [TestCase("plain text")]
    [TestCase("multi-byte: é 你好 😀, lines\nand\r\nends")]
    [TestCase("{\"looks\":\"like json\"}\n")]
    public void Raw_TextIsTheBody_AtEveryReadBoundary(string body)
    {
        foreach (var (cut, reads) in FramingDriver.EverySplit(body))
        {
            var run = FramingDriver.Drive(Plan, reads);
            Assert.That(run.JoinedText, Is.EqualTo(body), cut);
            Assert.That(run.Done, Is.False, cut);
            Assert.That(run.Texts, Has.None.Contain('\uFFFD'), cut);
        }
    }

    [TestCase(0)]
    [TestCase(1)]
    [TestCase(2)]
    [TestCase(3)]
    public void Raw_ReadsThatFillTheBuffer_CutCharactersAtTheirEdges_TextIsTheBody(int shift)
    {
        // Reads as large as the session's buffer (16 KB), over a body whose four-byte characters fall across their ends:
        // a read then starts with the rest of a character begun in the read before, and makes more characters than it
        // has bytes (a surrogate pair from one byte, then one per ASCII byte), the most the decoder's room must hold.
        var text = new string('a', shift) + string.Concat(Enumerable.Range(0, 9_000).Select(i => i % 5 == 0 ? "😀" : (i % 7 == 0 ? "你" : "xyz")));
        var bytes = Encoding.UTF8.GetBytes(text);
        var run = FramingDriver.Drive(Plan, [bytes]);

        Assert.That(run.JoinedText, Is.EqualTo(text));
        Assert.That(run.Chunks, Is.GreaterThan(1), "the body took more than one read of the buffer");

        var tight = Encoding.UTF8.GetBytes(new string('b', (16 * 1024) - 3 + shift) + "😀" + new string('c', 20_000));
        var tightRun = FramingDriver.Drive(Plan, [tight]);
        Assert.That(tightRun.JoinedText, Is.EqualTo(Encoding.UTF8.GetString(tight)));
    }

    [Test]
    public void Raw_EmptyBody_GivesNoChunk()
    {
        var run = FramingDriver.Drive(Plan, []);
        Assert.That(run.Chunks, Is.Zero);
        Assert.That(run.JoinedText, Is.Empty);
    }
}
