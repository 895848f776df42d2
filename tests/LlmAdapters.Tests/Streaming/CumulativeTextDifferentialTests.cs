#pragma warning disable CA5394 // deterministic fuzzing needs a seeded Random, not a secure one
using System.Globalization;
using System.Text;
using LlmAdapters.Execution;
using LlmAdapters.Tests.Fuzzing;
using static LlmAdapters.Tests.Fuzzing.StreamFuzzTests;

namespace LlmAdapters.Tests.Streaming;

/// <summary>
/// A cumulative stream's text (each chunk repeats all text so far) is unescaped only past the bytes it was sent as in the
/// chunk before, when the chunk's string starts with them (Streaming.CumulativeText); else whole, and compared as
/// characters. That changes nothing a caller sees: every stream runs both ways, through StreamAsync and through
/// StreamUpdatesAsync, and the pieces, each update's text, its whole text so far (by name and in its fields), and the
/// exception that ends a stream (type and message) must be the same. The streams go through the shipped dashscope
/// adapter's chat_cumulative call (DashScope's streaming reference with incremental_output false, as in the conformance
/// fixtures). Their text is written with every escape JSON has, each character now raw and now escaped (\uXXXX in either
/// case, surrogate pairs, \/), a backslash before the letters an escape is made of, UTF-8 of one to four bytes; and a
/// chunk now and then writes an earlier character another way (the same text in other bytes), rewrites or shortens the
/// text, sends no new text, sends a number or null or nothing for it, or adds bytes that are not text (invalid UTF-8, an
/// encoded surrogate, a lone surrogate escape). Deterministic (fixed seed), split into reads at random places.
/// </summary>
[Category("Fuzzing")]
public class CumulativeTextDifferentialTests
{
    private const int Seed = 20_261_207;
    private const int Cases = 400;

    private static readonly LlmProfile Profile = new() { Adapter = "dashscope", BaseUrl = "https://vendor.test", Variables = { ["apikey"] = "sk-cumulative", ["model"] = "m" } };

    // Characters of the answers: ASCII (the letters an escape is made of among them), those JSON must escape, and UTF-8 of two, three and four bytes.
    private static readonly string[] Characters = ["a", "n", "u", "0", "4", "1", "d", "8", "3", "f", " ", "\"", "\\", "/", "\n", "\t", "\u0001", "é", "你", "中", "😀", "🀄"];

    /// <summary>A character of the text and how it is written: 0 raw (or its short escape), 1 \uXXXX lowercase, 2 uppercase.</summary>
    private sealed record Unit(string Text, int Way)
    {
        public string Json => Text switch
        {
            "\"" when Way == 0 => "\\\"",
            "\\" when Way == 0 => "\\\\",
            "\n" when Way == 0 => "\\n",
            "\t" when Way == 0 => "\\t",
            "/" when Way == 0 => "\\/",
            "\u0001" when Way == 0 => "\\u0001",
            _ when Way == 0 => Text,
            _ => string.Concat(Text.Select(c => "\\u" + ((int)c).ToString(Way == 1 ? "x4" : "X4", CultureInfo.InvariantCulture))),
        };
    }

    [Test]
    public async Task Unescaping_only_the_new_end_changes_nothing_over_generated_streams()
    {
        var run = new FuzzRun($"cumulative text, new end only against whole (seed {Seed})");
        for (var caseNumber = 0; caseNumber < Cases; caseNumber++)
        {
            var random = FuzzRun.CaseRandom(Seed, caseNumber);
            var (kind, body) = Generate(random);
            var readMode = random.Next(ChunkedStream.Modes);
            var readSeed = random.Next();
            foreach (var updates in new[] { false, true })
            {
                var with = await OutcomeAsync(body, readMode, readSeed, updates, comparesBytes: true);
                var without = await OutcomeAsync(body, readMode, readSeed, updates, comparesBytes: false);
                var failure = with == without ? null : $"with the bytes compared the caller saw{Environment.NewLine}{with}{Environment.NewLine}but unescaping each text whole{Environment.NewLine}{without}";
                var api = updates ? "StreamUpdatesAsync" : "StreamAsync";
                run.Record($"{kind} {api}", failure is null ? (with.EndsWith("ended", StringComparison.Ordinal) ? "same, ended" : "same, raised") : "failure",
                    failure is null ? null : $"seed {Seed}, case {caseNumber} ({kind}, {api}, read mode {readMode}): {failure}{Environment.NewLine}body: {Encoding.UTF8.GetString(body)}", null, $"case {caseNumber}");
            }
        }

        run.Report();
        run.AssertNoFailures();
        Assert.That(run.Cases, Is.EqualTo(2 * Cases));
    }

    /// <summary>A stream of 2 to 30 chunks whose text grows by a few characters a chunk, now and then another way.</summary>
    private static (string Kind, byte[] Body) Generate(Random random)
    {
        var count = random.Next(2, 31);
        var odd = random.Next(3) switch { 0 => 4, 1 => 12, _ => 60 }; // how rarely (1 in odd) a chunk does something else than grow
        var units = new List<Unit>();
        var body = new List<byte>();
        var kinds = new SortedSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            byte[]? tail = null; // bytes that are not text, after the string's own
            string? value = null; // the content as another JSON value than a string ("" for none)
            switch (random.Next(odd) == 0 ? random.Next(7) : -1)
            {
                case 0 when units.Count > 0: // an earlier character written another way: the same text, other bytes
                    var at = random.Next(units.Count);
                    units[at] = units[at] with { Way = (units[at].Way + 1 + random.Next(2)) % 3 };
                    kinds.Add("rewritten bytes");
                    break;
                case 1: // rewritten, or cut short
                    units = random.Next(2) == 0 ? [.. units.Take(random.Next(units.Count + 1))] : [new Unit("X", 0)];
                    kinds.Add("rewritten text");
                    break;
                case 2: // no new text
                    kinds.Add("no new text");
                    break;
                case 3:
                    value = random.Next(3) switch { 0 => "42", 1 => "null", _ => string.Empty };
                    kinds.Add("not a string");
                    break;
                case 4:
                case 5:
                    tail = random.Next(8) switch
                    {
                        0 => [0xFF],
                        1 => [0xC3],
                        2 => [0x80, (byte)'a'],
                        3 => [0xED, 0xA0, 0x80], // a surrogate encoded in UTF-8
                        4 => [0xC0, 0xAF], // overlong
                        5 => "\\ud83d"u8.ToArray(), // half a pair at the end
                        6 => "\\ud83da"u8.ToArray(),
                        _ => "\\ude00"u8.ToArray(),
                    };
                    kinds.Add("not text");
                    goto default;
                default:
                    for (var n = random.Next(0, 4); n >= 0; n--)
                    {
                        units.Add(new Unit(Characters[random.Next(Characters.Length)], random.Next(3)));
                    }

                    break;
            }

            var last = i == count - 1;
            body.AddRange(Encoding.UTF8.GetBytes($"id:{i + 1}\nevent:result\n:HTTP_STATUS/200\ndata:{{\"output\":{{\"choices\":[{{\"message\":{{"));
            if (value is null)
            {
                body.AddRange(Encoding.UTF8.GetBytes("\"content\":\"" + string.Concat(units.Select(u => u.Json))));
                body.AddRange(tail ?? []);
                body.AddRange("\","u8.ToArray());
            }
            else if (value.Length > 0)
            {
                body.AddRange(Encoding.UTF8.GetBytes($"\"content\":{value},"));
            }

            body.AddRange(Encoding.UTF8.GetBytes($"\"role\":\"assistant\"}},\"finish_reason\":\"{(last ? "stop" : "null")}\"}}]}},\"usage\":{{\"total_tokens\":{i + 20},\"output_tokens\":{i + 1},\"input_tokens\":19}},\"request_id\":\"5bd1d3a1-cumulative\"}}\n\n"));
        }

        return ($"1 in {odd} odd{(kinds.Count > 0 ? ": " + string.Join(", ", kinds) : string.Empty)}", [.. body]);
    }

    /// <summary>Everything the caller saw, as text: the pieces (or each update's text and whole text), then how the stream ended.</summary>
    private static async Task<string> OutcomeAsync(byte[] body, int readMode, int readSeed, bool updates, bool comparesBytes)
    {
        using var handler = new BodyHandler(new ChunkedStream(body, new Random(readSeed), readMode), "text/event-stream");
        var client = LlmCatalog.BuiltIn.CreateClient(Profile, handler);
        ((LlmClient)client).Runner.ComparesCumulativeBytes = comparesBytes;
        var seen = new StringBuilder();
        var request = new LlmRequest { Call = "chat_cumulative", Prompt = "hi" };
        var error = await FuzzRun.RunBoundedAsync(async token =>
        {
            if (updates)
            {
                await foreach (var update in client.StreamUpdatesAsync(request, token))
                {
                    seen.Append("text ").Append(J(update.Text)).Append(" whole ").Append(update.GetString("content") is { } whole ? J(whole) : "(null)")
                        .Append(" field ").Append(update.Fields.TryGetValue("content", out var field) ? field.GetRawText() : "(none)").Append('\n');
                }
            }
            else
            {
                await foreach (var piece in client.StreamAsync(request, token))
                {
                    seen.Append(J(piece)).Append('\n');
                }
            }
        });
        return seen + (error is null ? "ended" : $"raised {error.GetType().FullName}: {error.Message}");
    }
}
