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

    [Test]
    public void Raw_EmptyBody_GivesNoChunk()
    {
        var run = FramingDriver.Drive(Plan, []);
        Assert.That(run.Chunks, Is.Zero);
        Assert.That(run.JoinedText, Is.Empty);
    }
}
