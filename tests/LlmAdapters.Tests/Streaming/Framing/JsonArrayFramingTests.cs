using LlmAdapters.Streaming;

namespace LlmAdapters.Tests.Streaming.Framing;

/// <summary>stream_format "json-array" (StreamSession.JsonArray.cs): each element of one JSON array is a chunk.</summary>
public class JsonArrayFramingTests
{
    // Gemini's streamGenerateContent without alt=sse: a JSON array of GenerateContentResponse objects.
    private static readonly StreamPlan Plan = FramingDriver.Plan(StreamFormat.JsonArray, done: null, textPath: "candidates[0].content.parts[0].text");

    private static string Element(string text) => $$$"""{"candidates":[{"content":{"parts":[{"text":"{{{text}}}"}],"role":"model"}}]}""";

    [Test]
    public void JsonArray_GivesOneChunkPerElement_AtEveryReadBoundary()
    {
        var body = $"[{Element("Hel")}\r\n,\n{Element("lo ] } 😀")} , {Element("!")}]\n";
        foreach (var (cut, reads) in FramingDriver.EverySplit(body))
        {
            var run = FramingDriver.Drive(Plan, reads);
            Assert.That(run.Texts, Is.EqualTo(new[] { "Hel", "lo ] } 😀", "!" }), cut);
            Assert.That(run.Truncation, Is.Null, cut);
        }
    }

    [Test]
    public void JsonArray_EmptyArray_GivesNoChunk()
    {
        foreach (var (cut, reads) in FramingDriver.EverySplit(" [ ] "))
        {
            var run = FramingDriver.Drive(Plan, reads);
            Assert.That(run.Chunks, Is.Zero, cut);
            Assert.That(run.Truncation, Is.Null, cut);
        }
    }

    [TestCase("[ } ]")]
    [TestCase("[{\"a\":1}, } ]")]
    [TestCase("[{\"a\":1}, : ]")]
    public void JsonArray_AStrayByteWhereAnElementShouldStart_FailsTheStream(string body)
    {
        // Once a '}' there ended an empty element without consuming it, and the reader spun forever (the driver's steps
        // are bounded, so a spin would fail this test too).
        foreach (var (cut, reads) in FramingDriver.EverySplit(body))
        {
            var e = Assert.Throws<InvalidChunkException>(() => FramingDriver.Drive(Plan, reads), cut);
            Assert.That(e!.Message, Does.Contain("where an element should start"), cut);
        }
    }

    [Test]
    public void JsonArray_BodyEndingInsideTheArray_IsTruncated()
    {
        var body = $"[{Element("a")},{Element("b")}";
        foreach (var (cut, reads) in FramingDriver.EverySplit(body))
        {
            var run = FramingDriver.Drive(Plan, reads);
            Assert.That(run.Texts, Is.EqualTo(new[] { "a", "b" }), cut);
            Assert.That(run.Truncation, Is.Not.Null, cut);
        }
    }
}
