using System.Text;
using System.Text.Json;
using Gateway;
using NUnit.Framework;

namespace LlmAdapters.Samples.Tests.Gateway;

/// <summary>The JSON strings of a stream's content deltas: the same text back when parsed, UTF-8 as is, only what JSON must escape escaped.</summary>
public sealed class GatewayJsonTests
{
    [TestCase("")]
    [TestCase("plain ASCII")]
    [TestCase("你好，世界")]
    [TestCase("😀👍🏽🇨🇳🙂🚀")]
    [TestCase("\"quoted\" and back\\slash")]
    [TestCase("line\nbreak\r\ttab\b\f")]
    [TestCase("\u2028\u2029 <script>&'")]
    [TestCase("混排 mixed \"😀\"\n\\")]
    public void WriteStringValue_ParsesBackToTheSameText(string text)
        => Assert.That(Parse(Write(text)), Is.EqualTo(text));

    [Test]
    public void WriteStringValue_EveryControlCharacter_IsEscaped_AndParsesBack()
    {
        // Built here: a case whose name holds a control character never reached the test runner.
        var text = new string([.. Enumerable.Range(0, 0x20).Select(i => (char)i), '\u007F']);
        var json = Write(text);

        Assert.Multiple(() =>
        {
            Assert.That(json, Is.EqualTo(MinimalJson(text)));
            Assert.That(Parse(json), Is.EqualTo(text));
        });
    }

    [Test]
    public void WriteStringValue_LeavesNonAsciiAsUtf8_AndEscapesOnlyWhatJsonMust()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Write("你好😀"), Is.EqualTo("\"你好😀\""), "no \\u escapes for text, emoji included");
            Assert.That(Write("a\"b\\c"), Is.EqualTo("\"a\\\"b\\\\c\""));
            Assert.That(Write("\n\r\t\b\f"), Is.EqualTo("\"\\n\\r\\t\\b\\f\""));
            Assert.That(Write("\u0000\u001F\u007F"), Is.EqualTo("\"\\u0000\\u001F\u007F\""), "control characters below U+0020 as \\u00XX; DEL needs no escape");
            Assert.That(Write("<&'>"), Is.EqualTo("\"<&'>\""));
        });
    }

    [Test]
    public void WriteStringValue_RandomText_ParsesBackToTheSameText()
    {
        // Characters from every class the writer treats differently: ASCII, escapes, control characters, CJK, surrogate pairs.
        var random = new Random(20261206);
        string[] pieces = ["a", "Z", " ", "\"", "\\", "\n", "\u0000", "\u0001", "\u001F", "\u007F", "é", "你", "\u2028", "😀", "👍🏽", "\uFFFD", "\uFEFF"];
        for (var round = 0; round < 2_000; round++)
        {
            var sb = new StringBuilder();
            var count = random.Next(0, 40);
            for (var i = 0; i < count; i++)
            {
                sb.Append(pieces[random.Next(pieces.Length)]);
            }

            var text = sb.ToString();
            var json = Write(text);
            Assert.That(json, Is.EqualTo(MinimalJson(text)), $"round {round}");
            Assert.That(Parse(json), Is.EqualTo(text), $"round {round}");
        }
    }

    [Test]
    public void WriteStringValue_WorstCase_FitsTheMaximum()
    {
        var text = new string('\u0001', 50);
        var buffer = new byte[GatewayJson.MaxStringValueBytes(text.Length)];

        var written = GatewayJson.WriteStringValue(text, buffer);

        Assert.That(written, Is.EqualTo(buffer.Length));
    }

    [Test]
    public void WriteStringValue_HalfASurrogatePair_Throws_NeverReplaced()
    {
        // Built here: a lone surrogate in an attribute argument is stored as U+FFFD.
        const char high = '\uD83D', low = '\uDE00';
        foreach (var text in new[] { $"{high}", $"end {high}", $"{low} start", $"half {high}\" before a quote", $"{low}{high}" })
        {
            Assert.Throws<ArgumentException>(() => Write(text), string.Join(" ", text.Select(c => ((int)c).ToString("X4", System.Globalization.CultureInfo.InvariantCulture))));
        }
    }

    /// <summary>
    /// A JSON string as RFC 8259 §7 requires it and no more, one character at a time: the reference the gateway's output
    /// is compared with, byte for byte.
    /// </summary>
    internal static string MinimalJson(string text)
    {
        var sb = new StringBuilder("\"");
        foreach (var c in text)
        {
            sb.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                '\b' => "\\b",
                '\f' => "\\f",
                < ' ' => $"\\u{(int)c:X4}",
                _ => c.ToString(),
            });
        }

        return sb.Append('"').ToString();
    }

    private static string Write(string text)
    {
        var buffer = new byte[GatewayJson.MaxStringValueBytes(text.Length)];
        var written = GatewayJson.WriteStringValue(text, buffer);
        return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(buffer, 0, written);
    }

    private static string? Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.GetString();
    }
}
