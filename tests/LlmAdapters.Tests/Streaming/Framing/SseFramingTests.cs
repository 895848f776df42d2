using LlmAdapters.Streaming;

namespace LlmAdapters.Tests.Streaming.Framing;

/// <summary>stream_format "sse" (StreamSession.Sse.cs): events cut the same way wherever the reads split the body.</summary>
public class SseFramingTests
{
    private static readonly StreamPlan Plan = FramingDriver.Plan(StreamFormat.Sse);

    private static string Chunk(string text) => $$$"""{"choices":[{"delta":{"content":"{{{text}}}"}}]}""";

    [TestCase("\n")]
    [TestCase("\r\n")]
    [TestCase("\r")]
    public void Sse_GivesOneChunkPerEvent_AtEveryReadBoundary(string eol)
    {
        var body = $": keep-alive{eol}{eol}data: {Chunk("Hel")}{eol}{eol}data:{Chunk("lo 😀")}{eol}{eol}data: [DONE]{eol}{eol}";
        foreach (var (cut, reads) in FramingDriver.EverySplit(body))
        {
            var run = FramingDriver.Drive(Plan, reads);
            Assert.That(run.Texts, Is.EqualTo(new[] { "Hel", "lo 😀" }), cut);
            Assert.That(run.Done, Is.True, cut);
        }
    }

    [Test]
    public void Sse_EventType_IsTheEventLine_OfEachEvent()
    {
        var body = $"event: delta\ndata: {Chunk("a")}\n\ndata: {Chunk("b")}\n\nevent: last\ndata: {Chunk("c")}\n\n";
        foreach (var (cut, reads) in FramingDriver.EverySplit(body))
        {
            var run = FramingDriver.Drive(Plan, reads);
            Assert.That(run.Texts, Is.EqualTo(new[] { "a", "b", "c" }), cut);
            Assert.That(run.Events, Is.EqualTo(new[] { "delta", null, "last" }), cut);
            Assert.That(run.Done, Is.False, cut);
        }
    }

    [Test]
    public void Sse_DataLinesThatAreEachJson_AreOneChunkPerLine()
    {
        var body = $"data: {Chunk("a")}\ndata: {Chunk("b")}\n\n";
        foreach (var (cut, reads) in FramingDriver.EverySplit(body))
        {
            Assert.That(FramingDriver.Drive(Plan, reads).Texts, Is.EqualTo(new[] { "a", "b" }), cut);
        }
    }

    [Test]
    public void Sse_DataLinesOfOneJsonValue_AreJoinedWithNewLine()
    {
        var body = "data: {\"choices\":[{\"delta\":\ndata: {\"content\":\"joined\"}}]}\n\n";
        foreach (var (cut, reads) in FramingDriver.EverySplit(body))
        {
            Assert.That(FramingDriver.Drive(Plan, reads).Texts, Is.EqualTo(new[] { "joined" }), cut);
        }
    }

    [Test]
    public void Sse_LastEventWithoutBlankLine_IsDispatchedAtTheEnd()
    {
        var body = $"data: {Chunk("a")}\n\ndata: {Chunk("b")}";
        foreach (var (cut, reads) in FramingDriver.EverySplit(body))
        {
            var run = FramingDriver.Drive(Plan, reads);
            Assert.That(run.Texts, Is.EqualTo(new[] { "a", "b" }), cut);
            Assert.That(run.Truncation, Is.Null, cut);
        }
    }

    [Test]
    public void Sse_PlainTextData_IsTheText()
    {
        var plan = new StreamPlan(StreamFormat.Sse, null, "[DONE]", false, false, new LlmAdapters.Mapping.ResponseMap([]), [], LlmAdapters.Mapping.ErrorMap.Default);
        foreach (var (cut, reads) in FramingDriver.EverySplit("data: plain words\n\ndata: more\n\n"))
        {
            Assert.That(FramingDriver.Drive(plan, reads).Texts, Is.EqualTo(new[] { "plain words", "more" }), cut);
        }
    }
}
