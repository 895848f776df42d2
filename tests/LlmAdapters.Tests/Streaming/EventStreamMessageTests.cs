using System.Text;
using System.Text.Json;
using LlmAdapters.Streaming;
using LlmAdapters.Tests.TestSupport;

namespace LlmAdapters.Tests.Streaming;

/// <summary>
/// The AWS event-stream message reader against aws-sdk-go's test vectors (private/protocol/eventstream/testdata at commit
/// 8d203ccff393340d080be0417d091cc60354449b, copied to Fixtures/aws-eventstream/): encoded/positive/* with their
/// decoded/positive/* descriptions, and encoded/negative/* with the error decoded/negative/* names.
/// </summary>
public class EventStreamMessageTests
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "Fixtures", "aws-eventstream");

    public static IEnumerable<string> Positive() => ["all_headers", "empty_message", "int32_header", "payload_no_headers", "payload_one_str_header"];

    [TestCaseSource(nameof(Positive))]
    public void PositiveVector_IsReadWhole_WithItsPayload(string name)
    {
        var encoded = File.ReadAllBytes(Path.Combine(Folder, "encoded", "positive", name));
        using var decoded = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "decoded", "positive", name)));
        var expectedPayload = Convert.FromBase64String(decoded.RootElement.GetProperty("payload").GetString() ?? string.Empty);

        for (var have = 0; have < 12; have++)
        {
            Assert.That(EventStreamMessage.Measure(encoded.AsSpan(0, have), 1 << 20), Is.Zero, $"{have} bytes are not a prelude yet");
        }

        var length = EventStreamMessage.Measure(encoded, 1 << 20);
        Assert.That(length, Is.EqualTo(decoded.RootElement.GetProperty("total_length").GetInt32()));
        Assert.That(length, Is.EqualTo(encoded.Length));
        var message = EventStreamMessage.Parse(encoded);
        Assert.That(message.Payload.ToArray(), Is.EqualTo(expectedPayload));
        Assert.That(message.PayloadOffset, Is.EqualTo(12 + decoded.RootElement.GetProperty("headers_length").GetInt32()));
        Assert.That(message.MessageType.IsEmpty && message.EventType.IsEmpty, Is.True, "the vectors have no ':' headers (their event-type is an int32 without ':')");
    }

    [TestCase("corrupted_header_len", "prelude checksum")]
    [TestCase("corrupted_length", "prelude checksum")]
    [TestCase("corrupted_headers", "message's checksum")]
    [TestCase("corrupted_payload", "message's checksum")]
    public void NegativeVector_IsAnError_NeverSkipped(string name, string what)
    {
        var encoded = File.ReadAllBytes(Path.Combine(Folder, "encoded", "negative", name));
        var expected = File.ReadAllText(Path.Combine(Folder, "decoded", "negative", name)).Trim();
        Assert.That(expected, Does.StartWith(what.StartsWith("prelude", StringComparison.Ordinal) ? "Prelude" : "Message"), "the vector names the same failure");

        var e = Assert.Throws<InvalidChunkException>(() =>
        {
            var length = EventStreamMessage.Measure(encoded, 1 << 20);
            EventStreamMessage.Parse(encoded.AsSpan(0, length));
        });
        Assert.That(e!.Message, Does.Contain(what));
    }

    [TestCase("empty_message")]
    [TestCase("payload_no_headers")]
    [TestCase("payload_one_str_header")]
    public void Encoder_WritesTheVectorsBytes(string name)
    {
        // The tests' encoder (used for ConverseStream bodies) is checked against the vectors it can write: string headers only.
        using var decoded = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "decoded", "positive", name)));
        var headers = decoded.RootElement.GetProperty("headers").EnumerateArray().ToList();
        Assert.That(headers.Select(h => h.GetProperty("type").GetInt32()), Is.All.EqualTo(7), "the encoder writes string headers only");

        var encoded = EventStreamEncoder.Message(
            headers.Select(h => (h.GetProperty("name").GetString()!, Encoding.UTF8.GetString(Convert.FromBase64String(h.GetProperty("value").GetString()!)))),
            Convert.FromBase64String(decoded.RootElement.GetProperty("payload").GetString() ?? string.Empty));

        Assert.That(encoded, Is.EqualTo(File.ReadAllBytes(Path.Combine(Folder, "encoded", "positive", name))));
    }

    [Test]
    public void ImpossibleLengths_AreErrors()
    {
        var message = EventStreamEncoder.Event("messageStart", """{"role":"assistant"}""");
        Assert.Throws<InvalidChunkException>(() => EventStreamMessage.Measure(message, maxLength: 20), "longer than the limit");

        var tooShort = EventStreamEncoder.Message([], []);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(tooShort, 8);
        Assert.Throws<InvalidChunkException>(() => EventStreamMessage.Measure(tooShort, 1 << 20), "prelude CRC no longer matches");
    }
}
