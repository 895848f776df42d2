using System.Text;
using System.Text.Json;
using LlmAdapters.Conversion;
using LlmAdapters.Internal;
using LlmAdapters.Mapping;

namespace LlmAdapters.Tests.Conversion;

/// <summary>
/// gemini_text / gemini_thoughts read a stream chunk's parts from the raw JSON (no document); that fast path must give
/// exactly what the JsonElement path gives. Differential: generated and mutated parts lists, both paths compared.
/// </summary>
public class GeminiPartsConverterTests
{
    private static readonly string[] Texts = ["", "你好", " 空格 ", "\\n换行\\n", "\\\"q\\\"", "😀", "\\u00e9", "\\ud83d\\ude00", "a\\\\b", "tab\\t"];

    private static IRawTextConverter Converter(string name)
    {
        Assert.That(ConverterRegistry.BuiltInOnly.TryGet(name, out var c), Is.True);
        return (IRawTextConverter)c!;
    }

    private static string Slow(IRawTextConverter c, string json) => ResponseMap.TextOf(c.Convert(JsonValues.Parse(Encoding.UTF8.GetBytes(json))));

    /// <summary>The raw path's text against the element path's: the same text, and null exactly where Convert gives JSON null.</summary>
    private static void AssertSame(IRawTextConverter c, string json, string? fast)
    {
        var converted = c.Convert(JsonValues.Parse(Encoding.UTF8.GetBytes(json)));
        Assert.That(fast ?? string.Empty, Is.EqualTo(ResponseMap.TextOf(converted)), json);
        Assert.That(fast is null, Is.EqualTo(converted.ValueKind == JsonValueKind.Null), json);
        Assert.That(c.GivesString, Is.EqualTo(c.Name == "gemini_text"));
        if (c.GivesString)
        {
            Assert.That(converted.ValueKind, Is.EqualTo(JsonValueKind.String), json);
        }

        Assert.That(c.TryConvertText(Encoding.UTF8.GetBytes(json), wantText: false, out var checkedOnly, out _, out _), Is.True, json);
        Assert.That(checkedOnly is null, Is.EqualTo(fast is null), json);
    }

    [TestCase("gemini_text")]
    [TestCase("gemini_thoughts")]
    public void The_raw_path_gives_the_text_of_the_element_path_on_generated_parts(string name)
    {
        var c = Converter(name);
        var random = new Random(20261206);
        var thoughtsSeen = 0;
        for (var i = 0; i < 5_000; i++)
        {
            var json = Parts(random);
            Assert.That(c.TryConvertText(Encoding.UTF8.GetBytes(json), wantText: true, out var fast, out _, out _), Is.True, json);
            AssertSame(c, json, fast);
            thoughtsSeen += json.Contains("\"thought\":true", StringComparison.Ordinal) ? 1 : 0;
        }

        Assert.That(thoughtsSeen, Is.GreaterThan(1_000), "the generator makes thought parts");
    }

    [Test]
    public void Text_and_thoughts_accept_the_same_values_as_they_say()
    {
        // The stream decoder takes the text reading's success on a chunk's parts for the thoughts reading's
        // (ReadsTheSameValuesAs): over lists of every kind and values that are not lists, the two must agree.
        var text = Converter("gemini_text");
        var thoughts = Converter("gemini_thoughts");
        Assert.That(thoughts.ReadsTheSameValuesAs(text) && text.ReadsTheSameValuesAs(thoughts), Is.True);
        var random = new Random(61207);
        string[] others = ["{\"text\":\"a\"}", "\"a\"", "42", "true", "[]", "[1,\"x\",null]", "[{\"thought\":true}]"];
        for (var i = 0; i < 3_000; i++)
        {
            var json = Encoding.UTF8.GetBytes(i < others.Length ? others[i] : Parts(random));
            Assert.That(thoughts.TryConvertText(json, wantText: false, out _, out _, out _), Is.EqualTo(text.TryConvertText(json, wantText: true, out _, out _, out _)), Encoding.UTF8.GetString(json));
        }
    }

    [TestCase("{\"text\":\"a\"}")]
    [TestCase("\"a\"")]
    [TestCase("42")]
    [TestCase("true")]
    public void A_value_that_is_not_a_list_goes_to_the_element_path_which_says_what_is_wrong(string json)
    {
        var c = Converter("gemini_text");
        Assert.That(c.TryConvertText(Encoding.UTF8.GetBytes(json), wantText: true, out _, out _, out _), Is.False);
        Assert.That(() => c.Convert(JsonValues.Parse(Encoding.UTF8.GetBytes(json))), Throws.InstanceOf<FormatException>().With.Message.Contains("list of text parts"));
    }

    [Test]
    public void Duplicate_keys_count_as_the_element_path_counts_them()
    {
        var c = Converter("gemini_text");
        foreach (var json in new[]
        {
            "[{\"text\":\"a\",\"text\":\"b\"}]",
            "[{\"text\":\"a\",\"text\":1}]",
            "[{\"text\":1,\"text\":\"b\"}]",
            "[{\"text\":\"a\",\"thought\":true,\"thought\":false}]",
            "[{\"text\":\"a\",\"thought\":false,\"thought\":true}]",
        })
        {
            Assert.That(c.TryConvertText(Encoding.UTF8.GetBytes(json), wantText: true, out var fast, out _, out _), Is.True);
            AssertSame(c, json, fast);
        }
    }

    [TestCase("gemini_text")]
    [TestCase("gemini_thoughts")]
    public void One_text_part_with_any_white_space_gives_the_element_paths_text(string name)
    {
        // The usual stream chunk takes a shortcut ([{"text": "..."}] read without a JSON reader): the same text, and for
        // gemini_text it says that it decoded every string of the value (so the value needs no other check).
        var c = Converter(name);
        var random = new Random(7);
        string[] space = ["", " ", "\n", "\r\n  ", "\t"];
        for (var i = 0; i < 2_000; i++)
        {
            var compact = i % 2 == 0; // as the API sends it (its own shortcut), or spaced anywhere
            string S() => compact ? string.Empty : space[random.Next(space.Length)];
            var json = $"{S()}[{S()}{{{S()}\"text\"{S()}:{S()}\"{Texts[random.Next(Texts.Length)]}{Texts[random.Next(Texts.Length)]}\"{S()}}}{S()}]{S()}";
            Assert.That(c.TryConvertText(Encoding.UTF8.GetBytes(json), wantText: true, out var fast, out var readAll, out _), Is.True, json);
            AssertSame(c, json, fast);
            Assert.That(readAll, Is.EqualTo(name == "gemini_text"), json);
        }
    }

    [Test]
    public void A_value_said_to_hold_only_text_gives_each_reading_by_that_text_what_reading_it_gives()
    {
        // The stream decoder reads a chunk's parts once for the text; when that reading says the value holds only one
        // text (onlyText), the thoughts are taken from that text (TextOfOnlyText) instead of a second reading. Over
        // generated lists, the one-text shapes with and without white space, and values that are not lists, both readings
        // given so must be what each gives by reading the value itself, and the element path's.
        var readers = new[] { Converter("gemini_text"), Converter("gemini_thoughts") };
        var random = new Random(20261207);
        string[] space = ["", " ", "\n", "\t"];
        string[] others = ["{\"text\":\"a\"}", "\"a\"", "42", "[]", "[{\"text\":\"a\",\"thought\":true}]", "[{\"text\":\"a\"},{\"text\":\"b\"}]", "[{\"text\":\"a\",\"thought\":false}]"];
        var said = 0;
        for (var i = 0; i < 6_000; i++)
        {
            string S() => i % 3 == 0 ? string.Empty : space[random.Next(space.Length)];
            var json = i < others.Length ? others[i]
                : i % 2 == 0 ? Parts(random)
                : $"{S()}[{S()}{{{S()}\"text\"{S()}:{S()}\"{Texts[random.Next(Texts.Length)]}{Texts[random.Next(Texts.Length)]}\"{S()}}}{S()}]{S()}";
            var bytes = Encoding.UTF8.GetBytes(json);
            foreach (var reader in readers)
            {
                if (!reader.TryConvertText(bytes, wantText: true, out var text, out _, out var onlyText) || !onlyText)
                {
                    continue;
                }

                said++;
                Assert.That(text, Is.Not.Null, json);
                foreach (var other in readers)
                {
                    Assert.That(other.ReadsTheSameValuesAs(reader), Is.True);
                    Assert.That(other.TryConvertText(bytes, wantText: true, out var own, out _, out _), Is.True, json);
                    Assert.That(other.TextOfOnlyText(text!), Is.EqualTo(own), json);
                    AssertSame(other, json, other.TextOfOnlyText(text!));
                }
            }
        }

        Assert.That(said, Is.GreaterThan(2_000), "the generator makes values that hold only one text");
    }

    [Test]
    public void A_text_that_is_not_valid_text_fails_on_the_shortcut_as_on_the_element_path()
    {
        var c = Converter("gemini_text");
        foreach (var json in new[] { "[{\"text\":\"\\ud800\"}]", "[{\"text\":\"a\\udc00b\"}]" })
        {
            Assert.That(() => c.TryConvertText(Encoding.UTF8.GetBytes(json), wantText: true, out _, out _, out _), Throws.InstanceOf<InvalidOperationException>(), json);
            Assert.That(() => Slow(c, json), Throws.InstanceOf<InvalidOperationException>(), json);
        }

        var invalidUtf8 = Encoding.UTF8.GetBytes("[{\"text\":\"a#b\"}]");
        invalidUtf8[Array.IndexOf(invalidUtf8, (byte)'#')] = 0xFF;
        Assert.That(() => c.TryConvertText(invalidUtf8, wantText: true, out _, out _, out _), Throws.InstanceOf<DecoderFallbackException>());
    }

    private static string Parts(Random random)
    {
        var sb = new StringBuilder("[");
        var count = random.Next(0, 5);
        for (var p = 0; p < count; p++)
        {
            if (p > 0)
            {
                sb.Append(',');
            }

            switch (random.Next(10))
            {
                case 0: sb.Append(random.Next(2) == 0 ? "null" : "\"loose\""); continue;
                case 1: sb.Append("[{\"text\":\"nested\"}]"); continue;
                default: break;
            }

            sb.Append('{');
            var props = new List<string>();
            var keys = random.Next(0, 5);
            for (var k = 0; k < keys; k++)
            {
                props.Add(random.Next(7) switch
                {
                    0 or 1 or 2 => $"\"text\":\"{Texts[random.Next(Texts.Length)]}\"",
                    3 => "\"thought\":" + (random.Next(4) switch { 0 => "true", 1 => "false", 2 => "\"true\"", _ => "1" }),
                    4 => "\"text\":" + (random.Next(3) switch { 0 => "null", 1 => "42", _ => "{\"text\":\"inner\"}" }),
                    5 => "\"thoughtSignature\":\"c2ln\"",
                    _ => "\"functionCall\":{\"name\":\"f\",\"args\":{\"text\":\"x\",\"thought\":true}}",
                });
            }

            if (random.Next(2) == 0)
            {
                props.Add("\"thought\":true");
            }

            sb.AppendJoin(',', props.OrderBy(_ => random.Next())).Append('}');
        }

        return sb.Append(']').ToString();
    }
}
