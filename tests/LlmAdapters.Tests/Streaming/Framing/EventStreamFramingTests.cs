using System.Text;
using LlmAdapters.Streaming;
using LlmAdapters.Tests.TestSupport;

namespace LlmAdapters.Tests.Streaming.Framing;

/// <summary>
/// stream_format aws-eventstream over a Bedrock ConverseStream body: the events and payloads of ConverseStreamOutput in
/// botocore's bedrock-runtime service model (messageStart, contentBlockDelta {delta.text}, contentBlockStop, messageStop
/// {stopReason}, metadata {usage, metrics}), encoded as AWS event-stream messages; cut at every byte and one byte per read.
/// </summary>
public class EventStreamFramingTests
{
    private static readonly byte[] Body = EventStreamEncoder.Concat(
        EventStreamEncoder.Event("messageStart", """{"p":"abcd","role":"assistant"}"""),
        EventStreamEncoder.Event("contentBlockDelta", """{"contentBlockIndex":0,"delta":{"text":"你好"},"p":"abcdefgh"}"""),
        EventStreamEncoder.Event("contentBlockDelta", """{"contentBlockIndex":0,"delta":{"text":", world 😀"},"p":"ab"}"""),
        EventStreamEncoder.Event("contentBlockStop", """{"contentBlockIndex":0,"p":"abcdefghijk"}"""),
        EventStreamEncoder.Event("messageStop", """{"p":"abc","stopReason":"end_turn"}"""),
        EventStreamEncoder.Event("metadata", """{"metrics":{"latencyMs":312},"p":"a","usage":{"inputTokens":12,"outputTokens":6,"totalTokens":18}}"""));

    private static StreamPlan Plan() => FramingDriver.Plan(StreamFormat.AwsEventStream, done: null, textPath: "delta.text");

    public static IEnumerable<TestCaseData> Splits() => FramingDriver.EverySplit(Body).Select(s => new TestCaseData((object)s.Reads).SetArgDisplayNames(s.Cut));

    [TestCaseSource(nameof(Splits))]
    public void ConverseStream_GivesTheTextAndEvents_HoweverTheBodyIsCut(byte[][] reads)
    {
        var run = FramingDriver.Drive(Plan(), reads);

        Assert.That(run.JoinedText, Is.EqualTo("你好, world 😀"));
        Assert.That(run.Events, Is.EqualTo(new[] { "messageStart", "contentBlockDelta", "contentBlockDelta", "contentBlockStop", "messageStop", "metadata" }));
        Assert.That(run.Truncation, Is.Null);
        Assert.That(run.Done, Is.False, "the event stream has no end marker: it ends with the body");
    }

    [Test]
    public void ExceptionMessage_FailsTheStream_WithTheVendorsMessageAndType()
    {
        var body = EventStreamEncoder.Concat(
            EventStreamEncoder.Event("contentBlockDelta", """{"contentBlockIndex":0,"delta":{"text":"Hi"}}"""),
            EventStreamEncoder.Exception("throttlingException", """{"message":"Too many requests, please wait before trying again."}"""));

        foreach (var (cut, reads) in FramingDriver.EverySplit(body))
        {
            var texts = new List<string?>();
            var e = Assert.Throws<InvalidChunkException>(() => FramingDriver.Drive(Plan(), reads), cut);
            Assert.That(e!.VendorCode, Is.EqualTo("throttlingException"), cut);
            Assert.That(e.VendorMessage, Is.EqualTo("Too many requests, please wait before trying again."), cut);
            Assert.That(e.Message, Does.Contain("exception in the stream (throttlingException)"), cut);
        }
    }

    [Test]
    public void ExceptionMessage_WithANameThatIsNotText_StillGivesTheVendorsMessage()
    {
        // A name that is an escaped half of a surrogate pair matches no name looked for (Internal.JsonNames), rather than
        // throwing the reader's InvalidOperationException out of the stream.
        var body = EventStreamEncoder.Exception("throttlingException", """{"\ud83d0123456789":1,"message":"slow down"}""");

        var e = Assert.Throws<InvalidChunkException>(() => FramingDriver.Drive(Plan(), [body]));
        Assert.That((e!.VendorCode, e.VendorMessage), Is.EqualTo(("throttlingException", "slow down")));
    }

    [Test]
    public void ErrorMessage_FailsTheStream_WithItsCodeAndMessage()
    {
        var error = EventStreamEncoder.Message([(":message-type", "error"), (":error-code", "InternalFailure"), (":error-message", "boom")], []);

        var e = Assert.Throws<InvalidChunkException>(() => FramingDriver.Drive(Plan(), [error]));
        Assert.That((e!.VendorCode, e.VendorMessage), Is.EqualTo(("InternalFailure", "boom")));
    }

    [Test]
    public void CorruptMessage_FailsTheStream_AfterTheGoodOnes()
    {
        var first = EventStreamEncoder.Event("contentBlockDelta", """{"contentBlockIndex":0,"delta":{"text":"ok"}}""");
        var second = EventStreamEncoder.Event("contentBlockDelta", """{"contentBlockIndex":0,"delta":{"text":"XX"}}""");
        second[^8] ^= 0x20; // a payload byte changed in transit: the message CRC no longer matches
        var chunks = new List<string?>();

        using var session = new StreamSession(Plan(), 1 << 20, "the test call");
        var all = EventStreamEncoder.Concat(first, second);
        all.CopyTo(session.GetReadBuffer().Span);
        session.Advance(all.Length);
        session.Complete();
        Assert.That(session.Step(), Is.EqualTo(StepKind.Chunk));
        Assert.That(session.CurrentText, Is.EqualTo("ok"));
        var e = Assert.Throws<InvalidChunkException>(() => session.Step());
        Assert.That(e!.Message, Does.Contain("checksum does not match"));
    }

    [Test]
    public void BodyEndingInsideAMessage_IsReportedAsCutShort()
    {
        foreach (var cut in new[] { 5, 12, Body.Length - 1 })
        {
            var run = FramingDriver.Drive(Plan(), [Body[..cut]]);
            Assert.That(run.Truncation, Does.StartWith("the body ended inside an event-stream message"), $"cut at {cut}");
        }
    }

    [Test]
    public void UnknownMessageType_IsAnError()
    {
        var odd = EventStreamEncoder.Message([(":message-type", "gossip")], Encoding.UTF8.GetBytes("{}"));

        var e = Assert.Throws<InvalidChunkException>(() => FramingDriver.Drive(Plan(), [odd]));
        Assert.That(e!.Message, Does.Contain("'gossip'"));
    }
}
