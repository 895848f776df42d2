#pragma warning disable CA5394 // deterministic fuzzing needs a seeded Random, not a secure one
using System.Text;
using System.Text.Json;
using LlmAdapters.Mapping;

namespace LlmAdapters.Tests.Mapping;

/// <summary>
/// The fast scan of <see cref="JsonPathSet.Find"/> against <see cref="Utf8JsonReader"/> (its <c>FindWithReader</c>):
/// whenever the fast scan accepts a value, the reader accepts it too and finds the same slots. (When it declines, Find
/// runs the reader, so declining is always safe.) Generated JSON with every token kind, in random white space, and
/// mutations of it; deterministic.
/// </summary>
[Category("Fuzzing")]
public class JsonPathSetFastScanTests
{
    private const int Seed = 20_261_207;
    private const int Cases = 20_000;

    internal static readonly JsonPathSet Paths = JsonPathSet.Build([.. new[]
    {
        "choices[0].delta.content", "choices[0].finish_reason", "usage", "id", "a.b[1].c", "x[2]", "['we.ird']", "arr[0][1]", "a", "choices",
    }.Select(p => (KeyPath?)KeyPath.Parse(p))]);

    private static readonly string[] Names = ["choices", "delta", "content", "finish_reason", "usage", "id", "a", "b", "c", "x", "we.ird", "arr", "other", "ch\\u006fices", "é", "", "chooses", "usagex", "i", "bb"];

    private static readonly string[] Numbers = ["0", "-0", "1", "-12", "3.25", "1e5", "1E+5", "2e-3", "-0.0e-0", "1E400", "123456789012345678901234567890"];

    private static readonly string[] Strings = ["", "a", "你好", "😀", "\\n", "\\\"", "\\\\", "\\/", "\\b\\f\\r\\t", "\\u00e9", "\\uD83D\\uDE00", "\\uDFFF", "x y",
        "a string longer than the short scan of twenty-four bytes", "twenty-three bytes long\\n then an escape", "一二三四五六七八九十😀 past the short scan\\u00e9"];

    [TestCase("01")]
    [TestCase("1.")]
    [TestCase("-")]
    [TestCase("1e")]
    [TestCase("1e+")]
    [TestCase(".5")]
    [TestCase("+1")]
    [TestCase("0x10")]
    [TestCase("NaN")]
    [TestCase("tru")]
    [TestCase("nul")]
    [TestCase("truex")]
    [TestCase("\"\\x\"")]
    [TestCase("\"\\u12G4\"")]
    [TestCase("\"a\tb\"")]
    [TestCase("[1,]")]
    [TestCase("{\"a\":1,}")]
    [TestCase("{,}")]
    [TestCase("[,1]")]
    [TestCase("{\"a\" 1}")]
    [TestCase("{'a':1}")]
    [TestCase("1 2")]
    [TestCase("[1 2]")]
    [TestCase("/*c*/1")]
    [TestCase("{\"a\":1}}")]
    [TestCase("[")]
    [TestCase("\"")]
    [TestCase("")]
    [TestCase("{\"choices\":[{\"delta\":{\"content\":\"x\"}}],\"usage\":nul}")]
    public void Invalid_IsDeclined(string json)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        var starts = new int[Paths.SlotCount];
        var lengths = new int[Paths.SlotCount];
        starts.AsSpan().Fill(-1);
        Assert.That(Paths.TryFindFast(bytes, starts, lengths), Is.False);
        Assert.Throws(Is.InstanceOf<JsonException>(), () => Paths.Find(bytes, starts, lengths));
    }

    [Test]
    public void WhereTheFastScanAccepts_TheReaderAcceptsWithTheSameSlots()
    {
        var failures = new List<string>();
        int accepted = 0, declinedValid = 0, rejected = 0;
        for (var i = 0; i < Cases && failures.Count < 10; i++)
        {
            var random = new Random(unchecked((Seed * 1_000_003) + i));
            var text = new StringBuilder();
            Value(random, text, 0);
            var bytes = Encoding.UTF8.GetBytes(Pad(random) + text + Pad(random));
            if (random.Next(2) == 0)
            {
                bytes = Mutate(random, bytes);
            }

            var fastStarts = new int[Paths.SlotCount];
            var fastLengths = new int[Paths.SlotCount];
            fastStarts.AsSpan().Fill(-1); // as Find does before its fast scan
            var fast = Paths.TryFindFast(bytes, fastStarts, fastLengths);
            var readerStarts = new int[Paths.SlotCount];
            var readerLengths = new int[Paths.SlotCount];
            var reader = true;
            try
            {
                Paths.FindWithReader(bytes, readerStarts, readerLengths);
            }
            catch (JsonException)
            {
                reader = false;
            }

            if (fast && !reader)
            {
                failures.Add($"case {i}: the fast scan accepted what the reader rejects: {Convert.ToBase64String(bytes)} ({Encoding.UTF8.GetString(bytes)})");
            }
            else if (fast && (!fastStarts.SequenceEqual(readerStarts) || !Enumerable.Range(0, fastStarts.Length).All(s => fastStarts[s] < 0 || fastLengths[s] == readerLengths[s])))
            {
                failures.Add($"case {i}: slots differ, fast [{string.Join(",", fastStarts)}] reader [{string.Join(",", readerStarts)}]: {Encoding.UTF8.GetString(bytes)}");
            }

            accepted += fast ? 1 : 0;
            declinedValid += !fast && reader ? 1 : 0;
            rejected += reader ? 0 : 1;
        }

        TestContext.Out.WriteLine($"[fuzz] fast scan: {accepted} accepted, {declinedValid} valid but declined (escaped names), {rejected} invalid");
        Assert.That(failures, Is.Empty);
        Assert.That(accepted, Is.GreaterThan(Cases / 4), "the fast scan must accept most valid values, or the test proves nothing");
        Assert.That(rejected, Is.GreaterThan(Cases / 10), "the mutations must make invalid values, or the test proves nothing");
    }

    internal static string Pad(Random random) => random.Next(4) switch { 0 => " ", 1 => "\n\t", 2 => "\r\n ", _ => string.Empty };

    /// <summary>Appends a random value; where <paramref name="scalars"/> is given, it receives where each scalar value lies in the text.</summary>
    internal static void Value(Random random, StringBuilder text, int depth, List<(int Start, int Length)>? scalars = null)
    {
        var kind = random.Next(depth > 5 ? 4 : 6);
        switch (kind)
        {
            case 0 or 1 or 2:
                var start = text.Length;
                Scalar(random, text, kind);
                scalars?.Add((start, text.Length - start));
                break;
            case 3:
                text.Append(random.Next(2) == 0 ? "{}" : "[]");
                break;
            case 4:
                text.Append('{');
                for (var n = random.Next(1, 5); n > 0; n--)
                {
                    text.Append(Pad(random)).Append('"').Append(Names[random.Next(Names.Length)]).Append('"').Append(Pad(random)).Append(':').Append(Pad(random));
                    Value(random, text, depth + 1, scalars);
                    text.Append(Pad(random)).Append(n > 1 ? "," : string.Empty);
                }

                text.Append('}');
                break;
            default:
                text.Append('[');
                for (var n = random.Next(1, 5); n > 0; n--)
                {
                    text.Append(Pad(random));
                    Value(random, text, depth + 1, scalars);
                    text.Append(Pad(random)).Append(n > 1 ? "," : string.Empty);
                }

                text.Append(']');
                break;
        }
    }

    /// <summary>A string (kind 0), a number (1) or a literal (2).</summary>
    internal static void Scalar(Random random, StringBuilder text, int kind)
    {
        switch (kind)
        {
            case 0:
                // One to three pieces, so that stops (quotes, escapes, mutated control bytes) fall at every place in and
                // across the scan's 16-byte blocks, and in the byte-by-byte tail near the end of the value.
                text.Append('"');
                for (var n = random.Next(1, 4); n > 0; n--)
                {
                    text.Append(Strings[random.Next(Strings.Length)]);
                }

                text.Append('"');
                break;
            case 1:
                text.Append(Numbers[random.Next(Numbers.Length)]);
                break;
            default:
                text.Append(random.Next(3) switch { 0 => "true", 1 => "false", _ => "null" });
                break;
        }
    }

    private static readonly byte[] Nasty = [.. "{}[],:\"\\ 0123456789eE+-.tfnul/\t\r\n\u0001x"u8, 0xFF, 0xC3];

    internal static byte[] Mutate(Random random, byte[] bytes)
    {
        var list = bytes.ToList();
        for (var k = random.Next(1, 3); k > 0 && list.Count > 0; k--)
        {
            var at = random.Next(list.Count);
            switch (random.Next(4))
            {
                case 0:
                    list[at] = Nasty[random.Next(Nasty.Length)];
                    break;
                case 1:
                    list.RemoveAt(at);
                    break;
                case 2:
                    list.Insert(at, Nasty[random.Next(Nasty.Length)]);
                    break;
                default:
                    list.RemoveRange(at, list.Count - at);
                    break;
            }
        }

        return [.. list];
    }
}
