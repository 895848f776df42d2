using System.Text;
using System.Text.Json;
using LlmAdapters.Internal;

namespace LlmAdapters.Tests.Internal;

/// <summary>
/// <see cref="JsonStrings.Decode"/> unescapes strings itself: it must give what <see cref="Utf8JsonReader.GetString"/>
/// gives for every token, text or exception, over generated strings that mix every escape, surrogate pairs and halves of
/// them, multi-byte characters and invalid UTF-8.
/// </summary>
public class JsonStringsTests
{
    // Pieces of a string's bytes between its quotes, as a vendor may send them (and as a hostile one may).
    private static readonly byte[][] Pieces =
    [
        .. new[]
        {
            "a", "Hello", " ", "é", "你好", "😀", "👍🏽", "🇨🇳", "\\\"", "\\\\", "\\/", "\\b", "\\f", "\\n", "\\r", "\\t",
            "\\u00e9", "\\u4F60", "\\u0000", "\\u001f", "\\ud83d\\ude00", "\\uD83D\\uDE00", "\\ud800", "\\udc00", "\\ud800\\u0041",
            "\\ud800x", "\\ud800\\n", "\\udbff\\udfff", "\\uzzzz", "\\x", "\\u12", "\\ud800\\uzz00",
        }.Select(Encoding.UTF8.GetBytes),
        [0xFF], [0xC3], [0xE4, 0xBD], [0xF0, 0x9F, 0x98], [0xED, 0xA0, 0x80], [0xC0, 0xAF],
    ];

    [Test]
    public void Decode_GivesTheReadersTextOrException_ForEveryGeneratedString()
    {
        var random = new Random(20261207);
        var texts = 0;
        var failures = 0;
        for (var n = 0; n < 20_000; n++)
        {
            var token = new List<byte> { (byte)'"' };
            var count = random.Next(0, n % 50 == 0 ? 400 : 12); // now and then longer than the decoder's stack buffer
            for (var i = 0; i < count; i++)
            {
                // Mostly valid text and escapes; the invalid pieces (the last nine, and the broken escapes) now and then.
                var piece = random.Next(10) < 9 ? Pieces[random.Next(Pieces.Length - 9)] : Pieces[random.Next(Pieces.Length)];
                token.AddRange(piece);
            }

            token.Add((byte)'"');
            var bytes = token.ToArray();
            var expected = Read(bytes);
            var actual = Catch(() => JsonStrings.Decode(bytes));
            Assert.That(actual.Text, Is.EqualTo(expected.Text), () => $"token {Encoding.UTF8.GetString(bytes)}");
            Assert.That(Kind(actual.Error), Is.EqualTo(Kind(expected.Error)), () => $"token {Encoding.UTF8.GetString(bytes)}: {actual.Error?.Message} against {expected.Error?.Message}");

            texts += expected.Text is null ? 0 : 1;
            failures += expected.Error is null ? 0 : 1;
        }

        // The generator reaches both outcomes often (a test that only ever sees text would not guard the exceptions).
        Assert.That(texts, Is.GreaterThan(5_000));
        Assert.That(failures, Is.GreaterThan(2_000));
    }

    [TestCase("\"line one\\nline two\"", "line one\nline two")]
    [TestCase("\"\\\"quoted\\\" \\\\ back\\/slash\"", "\"quoted\" \\ back/slash")]
    [TestCase("\"\\ud83d\\ude00 and \\u4f60\\u597d\"", "😀 and 你好")]
    public void Decode_Unescapes(string token, string text)
        => Assert.That(JsonStrings.Decode(Encoding.UTF8.GetBytes(token)), Is.EqualTo(text));

    /// <summary>
    /// What a failure says to the stream's decoder, which reads both a <see cref="DecoderFallbackException"/> and an
    /// <see cref="InvalidOperationException"/> whose message names UTF-8 or UTF-16 as "not text" (the decoder without
    /// escapes has always thrown the first, the reader the second), and a <see cref="JsonException"/> as "not JSON".
    /// </summary>
    private static string Kind(Exception? error) => error switch
    {
        null => "text",
        DecoderFallbackException => "not text",
        InvalidOperationException when error.Message.Contains("UTF-", StringComparison.Ordinal) => "not text",
        JsonException => "not JSON",
        _ => error.GetType().Name,
    };

    private static (string? Text, Exception? Error) Read(byte[] token) => Catch(() =>
    {
        var reader = new Utf8JsonReader(token);
        reader.Read();
        return reader.GetString()!;
    });

    private static (string? Text, Exception? Error) Catch(Func<string> read)
    {
        try
        {
            return (read(), null);
        }
        catch (Exception e) when (e is InvalidOperationException or JsonException or DecoderFallbackException)
        {
            return (null, e);
        }
    }
}
