#pragma warning disable CA5394 // deterministic fuzzing needs a seeded Random, not a secure one
using System.Globalization;
using System.Text;
using LlmAdapters.Streaming;
using LlmAdapters.Tests.Fuzzing;

namespace LlmAdapters.Tests.Streaming.Framing;

/// <summary>
/// The json-array framing reads the bytes of an element in one loop with its state in locals
/// (<c>StreamSession.ScanElement</c>), instead of through the scanner's switch over its states byte by byte. That changes
/// nothing a caller sees: every body runs both ways, in the same reads, and each chunk's payload (its bytes, as the
/// scanner cut it), its text, the end (a truncation message, or none) and the exception that ends a stream (type and
/// message) must be the same. The bodies are arrays of objects as Gemini streams them, nested arrays, strings, numbers and
/// literals, with strings that hold quotes, backslashes, brackets and commas, escapes of every kind and UTF-8 of one to
/// four bytes, and white space of every kind between elements; then some are mutated (a byte left out, doubled or
/// replaced by one that matters to the scanner, the body cut short, a part repeated). Deterministic (fixed seed), split
/// into reads at random places, now and then a byte a read.
/// </summary>
[Category("Fuzzing")]
public class JsonArrayScanDifferentialTests
{
    private const int Seed = 20_261_207;
    private const int Cases = 3_000;

    // The text item of Gemini's chunks, or the first element of an array element, or a string element's own text.
    private static readonly StreamPlan Plan = FramingDriver.Plan(StreamFormat.JsonArray, done: null, textPath: "candidates[0].content.parts[0].text");

    // Pieces of strings: plain, what the scanner looks for inside strings, escapes, and UTF-8 of two to four bytes.
    private static readonly string[] StringPieces = ["a", "text", " ", "\\\"", "\\\\", "\\n", "\\u005d", "\\u007B", "\\/", "]", "[", "}", "{", ",", ":", "é", "你好", "😀", "\\ud83d\\ude00"];

    // Bytes that matter to the scanner, for the mutations.
    private static readonly byte[] Structural = "\"\\{}[],: \n\r\t0"u8.ToArray();

    [Test]
    public void Scanning_an_element_in_one_loop_changes_nothing_over_generated_and_mutated_arrays()
    {
        var run = new FuzzRun($"json-array element scan, one loop against the state switch (seed {Seed})");
        for (var caseNumber = 0; caseNumber < Cases; caseNumber++)
        {
            var random = FuzzRun.CaseRandom(Seed, caseNumber);
            var (kind, body) = Generate(random);
            var reads = Split(body, random);
            var oneLoop = Outcome(reads, oneLoop: true);
            var bySwitch = Outcome(reads, oneLoop: false);
            var failure = oneLoop == bySwitch ? null : $"in one loop the scanner gave{Environment.NewLine}{oneLoop}{Environment.NewLine}but through its switch{Environment.NewLine}{bySwitch}";
            run.Record(kind, failure is null ? (oneLoop.EndsWith("ended", StringComparison.Ordinal) ? "same, ended" : "same, raised") : "failure",
                failure is null ? null : $"seed {Seed}, case {caseNumber} ({kind}): {failure}{Environment.NewLine}body (base64): {Convert.ToBase64String(body)}", null, $"case {caseNumber}");
        }

        run.Report();
        run.AssertNoFailures();
        Assert.That(run.Cases, Is.EqualTo(Cases));
    }

    /// <summary>Everything a caller could see of a run: the chunks' payloads and texts, then how the stream ended.</summary>
    private static string Outcome(byte[][] reads, bool oneLoop)
    {
        var run = FramingDriver.Drive(Plan, reads, session => session.ScansInOneLoop = oneLoop, keepError: true);
        var chunks = run.Payloads.Zip(run.Texts, (payload, text) => $"chunk {payload} text {text ?? "(none)"}");
        var end = run.Error is { } e ? $"{e.GetType().Name}: {e.Message}" : run.Done ? "done, ended" : $"truncation: {run.Truncation ?? "none"}, ended";
        return string.Join(Environment.NewLine, chunks.Append(end));
    }

    private static (string Kind, byte[] Body) Generate(Random random)
    {
        var body = new StringBuilder();
        body.Append(Space(random)).Append('[').Append(Space(random));
        var count = random.Next(0, 12);
        for (var i = 0; i < count; i++)
        {
            if (i > 0)
            {
                body.Append(Space(random)).Append(',').Append(Space(random));
            }

            // Mostly objects and arrays: a string, number or literal element is not a chunk the decoder reads, and ends the stream.
            body.Append(random.Next(12) == 0 ? Element(random, depth: 0) : Element(random, depth: 0, containersOnly: true));
        }

        body.Append(Space(random)).Append(']').Append(random.Next(4) == 0 ? Space(random) : string.Empty);
        var bytes = Encoding.UTF8.GetBytes(body.ToString());
        if (random.Next(3) != 0)
        {
            return ("valid", bytes);
        }

        var at = random.Next(bytes.Length + 1);
        switch (random.Next(5))
        {
            case 0:
                return ("a byte left out", at < bytes.Length ? [.. bytes[..at], .. bytes[(at + 1)..]] : bytes);
            case 1:
                return ("a byte doubled", at < bytes.Length ? [.. bytes[..(at + 1)], .. bytes[at..]] : bytes);
            case 2:
                return ("a byte replaced", at < bytes.Length ? [.. bytes[..at], Structural[random.Next(Structural.Length)], .. bytes[(at + 1)..]] : bytes);
            case 3:
                return ("cut short", bytes[..at]);
            default:
            {
                var from = random.Next(at + 1);
                return ("a part repeated", [.. bytes[..at], .. bytes[from..at], .. bytes[at..]]);
            }
        }
    }

    /// <summary>An element: mostly an object as Gemini streams it, else a nested array, a string, a number or a literal.</summary>
    private static string Element(Random random, int depth, bool containersOnly = false) => (containersOnly ? random.Next(9) switch { 3 or 4 or 5 or 6 => 0, var k => k } : depth > 2 ? random.Next(3, 7) : random.Next(9)) switch
    {
        0 or 1 or 2 => $"{{\"candidates\":[{{\"content\":{{\"parts\":[{{\"text\":{Str(random)}}}],\"role\":\"model\"}},\"index\":0}}],{Space(random)}\"usageMetadata\":{{\"promptTokenCount\":{random.Next(100)},\"totalTokenCount\":{random.Next(1000)}}},\"modelVersion\":{Str(random)}}}",
        3 => Str(random),
        4 => random.Next(3) switch { 0 => "true", 1 => "false", _ => "null" },
        5 => (random.NextDouble() * 1000 * (random.Next(2) == 0 ? -1 : 1)).ToString("R", CultureInfo.InvariantCulture),
        6 => random.Next(1000).ToString(CultureInfo.InvariantCulture),
        7 => $"[{Space(random)}{string.Join("," + Space(random), Enumerable.Range(0, random.Next(4)).Select(_ => Element(random, depth + 1)))}{Space(random)}]",
        _ => $"{{{string.Join(",", Enumerable.Range(0, random.Next(3)).Select(k => $"{Str(random)}:{Space(random)}{Element(random, depth + 1)}"))}}}",
    };

    private static string Str(Random random) => "\"" + string.Concat(Enumerable.Range(0, random.Next(0, 8)).Select(_ => StringPieces[random.Next(StringPieces.Length)])) + "\"";

    private static string Space(Random random) => random.Next(3) switch { 0 => string.Empty, 1 => " ", _ => random.Next(2) == 0 ? "\r\n" : "\n\t " };

    /// <summary>The body in reads: cut at random places, or a byte a read.</summary>
    private static byte[][] Split(byte[] body, Random random)
    {
        if (random.Next(8) == 0)
        {
            return [.. body.Select(b => new[] { b })];
        }

        var cuts = Enumerable.Range(0, random.Next(0, 6)).Select(_ => random.Next(body.Length + 1)).Append(0).Append(body.Length).Distinct().Order().ToArray();
        return [.. cuts.Zip(cuts.Skip(1), (from, to) => body[from..to])];
    }
}
