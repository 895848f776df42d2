using LlmAdapters.Streaming;

namespace LlmAdapters.Tests.Streaming.Framing;

/// <summary>stream_format "lines" (StreamSession.Lines.cs): one JSON chunk per line, whatever the line ending and the reads.</summary>
public class LinesFramingTests
{
    // Ollama's /api/chat stream: one JSON object per line (NDJSON).
    private static readonly StreamPlan Plan = FramingDriver.Plan(StreamFormat.Lines, done: null, textPath: "message.content");

    private static string Chunk(string text, bool done = false) => $$"""{"model":"llama3","message":{"role":"assistant","content":"{{text}}"},"done":{{(done ? "true" : "false")}}}""";

    [TestCase("\n")]
    [TestCase("\r\n")]
    [TestCase("\r")]
    public void Lines_GivesOneChunkPerLine_AtEveryReadBoundary(string eol)
    {
        var body = Chunk("Hi") + eol + eol + Chunk(" thére 😀") + eol + Chunk("", done: true) + eol;
        foreach (var (cut, reads) in FramingDriver.EverySplit(body))
        {
            var run = FramingDriver.Drive(Plan, reads);
            Assert.That(run.JoinedText, Is.EqualTo("Hi thére 😀"), cut);
            Assert.That(run.Chunks, Is.EqualTo(3), cut);
            Assert.That(run.Done, Is.False, cut);
        }
    }

    [Test]
    public void Lines_LastLineWithoutNewLine_IsDecodedAtTheEnd()
    {
        var body = Chunk("a") + "\n" + Chunk("b");
        foreach (var (cut, reads) in FramingDriver.EverySplit(body))
        {
            Assert.That(FramingDriver.Drive(Plan, reads).Texts, Is.EqualTo(new[] { "a", "b" }), cut);
        }
    }

    [Test]
    public void Lines_EndMarkerLine_EndsTheStream()
    {
        var plan = FramingDriver.Plan(StreamFormat.Lines, done: "[DONE]", textPath: "message.content");
        var body = Chunk("a") + "\n[DONE]\n" + Chunk("after") + "\n";
        foreach (var (cut, reads) in FramingDriver.EverySplit(body))
        {
            var run = FramingDriver.Drive(plan, reads);
            Assert.That(run.Texts, Is.EqualTo(new[] { "a" }), cut);
            Assert.That(run.Done, Is.True, cut);
        }
    }

    [Test]
    public void Lines_ALineThatIsNotJson_IsAnError()
    {
        foreach (var (cut, reads) in FramingDriver.EverySplit(Chunk("a") + "\n<html>\n"))
        {
            Assert.Throws<InvalidChunkException>(() => FramingDriver.Drive(Plan, reads), cut);
        }
    }
}
