using LlmAdapters.Streaming;

namespace LlmAdapters.Tests.Streaming.Framing;

/// <summary>The framing table (StreamFormats): one row per value, names round-trip, and the rows say what the engine relies on.</summary>
public class StreamFormatsTests
{
    [Test]
    public void Table_HasOneRowPerValue_AndNamesRoundTrip()
    {
        Assert.That(StreamFormats.All.Select(r => r.Format), Is.EqualTo(Enum.GetValues<StreamFormat>()));
        foreach (var format in Enum.GetValues<StreamFormat>())
        {
            Assert.That(StreamFormats.Of(format).Format, Is.EqualTo(format));
            Assert.That(StreamFormats.Parse(StreamFormats.Name(format)), Is.EqualTo(format));
        }

        Assert.That(StreamFormats.All.Select(r => r.Name), Is.EqualTo(new[] { "lines", "sse", "raw", "json-array", "aws-eventstream" }));
    }

    [Test]
    public void Table_UnknownValue_IsUnreachable_NotAnotherFraming()
        => Assert.Throws<System.Diagnostics.UnreachableException>(() => StreamFormats.Of((StreamFormat)99));

    [Test]
    public void Rows_SayWhatTheEngineAsks()
    {
        Assert.Multiple(() =>
        {
            Assert.That(StreamFormats.Of(StreamFormat.JsonArray).AcceptsJsonBody, Is.False, "a json-array body is JSON itself");
            Assert.That(StreamFormats.All.Where(r => r.Format != StreamFormat.JsonArray).Select(r => r.AcceptsJsonBody), Is.All.True);
            Assert.That(StreamFormats.All.Where(r => r.TextPayloads).Select(r => r.Format), Is.EquivalentTo(new[] { StreamFormat.Sse, StreamFormat.Raw }));
            Assert.That(StreamFormats.All.Where(r => !r.DecodesPayloads).Select(r => r.Format), Is.EquivalentTo(new[] { StreamFormat.Raw }));
        });
    }
}
