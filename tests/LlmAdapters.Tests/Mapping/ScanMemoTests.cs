#pragma warning disable CA5394 // deterministic fuzzing needs a seeded Random, not a secure one
using System.Text;
using System.Text.Json;
using LlmAdapters.Mapping;

namespace LlmAdapters.Tests.Mapping;

/// <summary>
/// <see cref="JsonPathSet.Find(ReadOnlySpan{byte}, Span{int}, Span{int}, ScanMemo, int)"/>, which checks each value of a
/// stream against the one before, against a scan afresh of every value: the same slots, or the same error. Streams of
/// generated values where each one keeps the last one's shape and changes some of its scalar values (as the chunks of a
/// stream do: the text piece, a token count), some of them mutated byte by byte as well; deterministic.
/// </summary>
[Category("Fuzzing")]
public class ScanMemoTests
{
    private const int Seed = 20_261_206;
    private const int Streams = 4_000;
    private const int ValuesPerStream = 8;

    [Test]
    public void StreamsOfValues_GiveWhatAScanAfreshGives()
    {
        var paths = JsonPathSetFastScanTests.Paths;
        var failures = new List<string>();
        int replayed = 0, scanned = 0, invalid = 0;
        for (var i = 0; i < Streams && failures.Count < 10; i++)
        {
            var random = new Random(unchecked((Seed * 1_000_003) + i));
            // Half the streams resume a string wherever it first differs past its first byte, as a long one does.
            using var memo = new ScanMemo(i % 2 == 0 ? ScanMemo.DefaultMinResume : 0);
            var scalars = new List<(int Start, int Length)>();
            var text = new StringBuilder();
            JsonPathSetFastScanTests.Value(random, text, 0, scalars);
            var pad = (JsonPathSetFastScanTests.Pad(random), JsonPathSetFastScanTests.Pad(random));
            // Most streams change the same few scalars in value after value (a text piece, token counts), as a vendor's
            // chunks do, so that the memo keeps its reference; now and then another one too.
            var hot = random.Next(4) == 0 ? null : Enumerable.Range(0, scalars.Count).Where(_ => random.Next(3) == 0).ToHashSet();
            var history = scalars.Select(_ => new List<string>()).ToArray(); // every value each scalar has had in the stream
            byte[]? previous = null;
            var previousStarts = new int[paths.SlotCount];
            var previousLengths = new int[paths.SlotCount];
            for (var n = 0; n < ValuesPerStream && failures.Count < 10; n++)
            {
                if (n > 0)
                {
                    foreach (var (k, (start, length)) in scalars.Index())
                    {
                        history[k].Add(text.ToString(start, length));
                    }

                    (text, scalars) = Successor(random, text.ToString(), scalars, hot, history);
                }

                var bytes = Encoding.UTF8.GetBytes(pad.Item1 + text + pad.Item2);
                if (random.Next(4) == 0)
                {
                    bytes = JsonPathSetFastScanTests.Mutate(random, bytes);
                }

                var before = memo.ScalarCount > 0;
                var (memoStarts, memoLengths, memoError) = Run(bytes, (s, l) => paths.Find(bytes, s, l, memo));
                var (starts, lengths, error) = Run(bytes, (s, l) => paths.Find(bytes, s, l));
                var replay = before && memoError is null && memo.LastWasReplay;
                replayed += replay ? 1 : 0;
                scanned += memoError is null && !replay ? 1 : 0;
                invalid += error is null ? 0 : 1;
                if (memoError != error)
                {
                    failures.Add($"stream {i} value {n}: with the memo {memoError ?? "accepted"}, afresh {error ?? "accepted"}: {Encoding.UTF8.GetString(bytes)}");
                }
                else if (error is null && (!memoStarts.SequenceEqual(starts) || !Enumerable.Range(0, starts.Length).All(s => starts[s] < 0 || memoLengths[s] == lengths[s])))
                {
                    failures.Add($"stream {i} value {n} ({(replay ? "replayed" : "scanned")}): slots differ, with the memo [{string.Join(",", memoStarts)}]/[{string.Join(",", memoLengths)}], afresh [{string.Join(",", starts)}]/[{string.Join(",", lengths)}]: {Encoding.UTF8.GetString(bytes)}");
                }
                else if (replay && Enumerable.Range(0, starts.Length).FirstOrDefault(s => memo.IsUnchanged(s) && !SameValue(s), -1) is var slot and >= 0)
                {
                    failures.Add($"stream {i} value {n}: slot {slot} is said to be unchanged, but it was {Show(previous!, previousStarts[slot], previousLengths[slot])} and is {Show(bytes, starts[slot], lengths[slot])}");
                }

                if (memoError is null)
                {
                    previous = bytes;
                    memoStarts.CopyTo(previousStarts, 0);
                    memoLengths.CopyTo(previousLengths, 0);
                }

                bool SameValue(int s) => (starts[s] < 0 && previousStarts[s] < 0)
                    || (starts[s] >= 0 && previousStarts[s] >= 0 && bytes.AsSpan(starts[s], lengths[s]).SequenceEqual(previous.AsSpan(previousStarts[s], previousLengths[s])));
            }
        }

        TestContext.Out.WriteLine($"[fuzz] scan memo: {replayed} replayed, {scanned} scanned afresh, {invalid} invalid");
        Assert.That(failures, Is.Empty);
        Assert.That(replayed, Is.GreaterThan(Streams * ValuesPerStream / 3), "most values must be replayed, or the test proves little");
        Assert.That(invalid, Is.GreaterThan(Streams * ValuesPerStream / 20), "the mutations must make invalid values, or the test proves little");
    }

    [Test]
    public void AValueThatDiffersOnlyInItsText_IsReplayed_WithTheSlotsMoved()
    {
        var paths = JsonPathSet.Build([KeyPath.Parse("choices[0].delta.content"), KeyPath.Parse("usage"), KeyPath.Parse("id")]);
        using var memo = new ScanMemo();
        var starts = new int[3];
        var lengths = new int[3];
        paths.Find("""{"choices":[{"delta":{"content":"Hi"}}],"usage":{"total":9},"id":"x"}"""u8, starts, lengths, memo);
        Assert.That(memo.LastWasReplay, Is.False);

        var next = """{"choices":[{"delta":{"content":"there, \"you\""}}],"usage":{"total":10},"id":"x"}"""u8;
        paths.Find(next, starts, lengths, memo);

        Assert.That(memo.LastWasReplay, Is.True);
        Assert.That(Encoding.UTF8.GetString(next.Slice(starts[0], lengths[0])), Is.EqualTo("\"there, \\\"you\\\"\""));
        Assert.That(Encoding.UTF8.GetString(next.Slice(starts[1], lengths[1])), Is.EqualTo("{\"total\":10}"));
        Assert.That(Encoding.UTF8.GetString(next.Slice(starts[2], lengths[2])), Is.EqualTo("\"x\""));
    }

    [TestCase("")]
    [TestCase(" and then a string long enough that the memo compares it by walking it rather than whole")]
    public void AValueBackToTheOneComparedWith_IsSaidToHaveChanged(string tail)
    {
        // The memo keeps the value it compares with while the values change in the same scalars. The last value here has
        // "a" back at that value's text and another "b": it has still changed in both from the value just before it.
        var paths = JsonPathSet.Build([KeyPath.Parse("a"), KeyPath.Parse("b")]);
        using var memo = new ScanMemo();
        var starts = new int[2];
        var lengths = new int[2];
        string[] values = [.. new[] { """{"a":"x","b":1}""", """{"a":"y","b":1}""", """{"a":"z","b":1}""", """{"a":"w","b":1}""", """{"a":"y","b":2}""" }
            .Select(v => v.Replace("\",\"b\"", tail + "\",\"b\"", StringComparison.Ordinal))];
        var changed = new List<string>();
        foreach (var value in values)
        {
            paths.Find(Encoding.UTF8.GetBytes(value), starts, lengths, memo);
            changed.Add(memo.LastWasReplay ? $"a {(memo.IsUnchanged(0) ? "same" : "changed")}, b {(memo.IsUnchanged(1) ? "same" : "changed")}" : "scanned");
        }

        Assert.That(changed, Is.EqualTo(new[] { "scanned", "a changed, b same", "a changed, b same", "a changed, b same", "a changed, b changed" }));
    }

    [Test]
    public void AValueAfterOneThatMovedTheScalars_IsReplayed()
    {
        // "a" grows, so every scalar after it moves; the next value differs in "c", after it: the memo must know where
        // "c" now lies to replay it rather than scan it afresh.
        var paths = JsonPathSet.Build([KeyPath.Parse("a"), KeyPath.Parse("c")]);
        using var memo = new ScanMemo();
        var starts = new int[2];
        var lengths = new int[2];
        var replayed = new List<bool>();
        foreach (var value in new[] { """{"a":"x","b":1,"c":"p"}""", """{"a":"xyz","b":1,"c":"p"}""", """{"a":"xyz","b":1,"c":"q"}""" })
        {
            var bytes = Encoding.UTF8.GetBytes(value);
            paths.Find(bytes, starts, lengths, memo);
            replayed.Add(memo.LastWasReplay);
            Assert.That(Encoding.UTF8.GetString(bytes, starts[1], lengths[1]), Is.EqualTo(value[^4..^1]));
        }

        Assert.That(replayed, Is.EqualTo(new[] { false, true, true }));
    }

    [Test]
    public void AStringThatKeepsGrowing_MakesEachValueTheReference()
    {
        // A cumulative text grows in every value: compared with a reference of long ago, it would be scanned whole each
        // time. Once it is long, each value is the reference, so that the next is scanned only from where it differs.
        var paths = JsonPathSet.Build([KeyPath.Parse("t"), KeyPath.Parse("n")]);
        using var memo = new ScanMemo();
        var starts = new int[2];
        var lengths = new int[2];
        var text = new StringBuilder();
        var references = new List<string>();
        for (var n = 0; n < 30; n++)
        {
            text.Append("piece ").Append(n).Append(' ');
            var bytes = Encoding.UTF8.GetBytes($$"""{"t":"{{text}}","n":{{n}}}""");
            paths.Find(bytes, starts, lengths, memo);
            Assert.That(Encoding.UTF8.GetString(bytes, starts[0], lengths[0]), Is.EqualTo($"\"{text}\""));
            references.Add(lengths[0] > ScanMemo.DefaultMinResume ? (memo.ReferenceLength == bytes.Length ? "this value" : "an earlier one") : "short");
        }

        Assert.That(references.SkipWhile(r => r == "short"), Is.Not.Empty.And.All.EqualTo("this value"));
    }

    [TestCase("""{"a":"x","b":1}""", """{"a":"x"","b":1}""")] // a quote inside the changed string ends it early
    [TestCase("""{"a":"x","b":1}""", """{"a":"x\","b":1}""")] // an escape swallows its closing quote
    [TestCase("""{"a":"x","b":1}""", """{"a":"x\u0001","b":1}""")] // a control character
    [TestCase("""{"a":1,"b":1}""", """{"a":1.,"b":1}""")] // a number cut short
    [TestCase("""{"a":true,"b":1}""", """{"a":trux,"b":1}""")]
    [TestCase("""{"a":"x","b":1}""", """{"a":"x","b":1}}""")] // more after the value
    public void AChangedValueThatIsNotAScalar_FailsAsAScanAfreshDoes(string first, string second)
    {
        var paths = JsonPathSet.Build([KeyPath.Parse("a"), KeyPath.Parse("b")]);
        using var memo = new ScanMemo();
        var starts = new int[2];
        var lengths = new int[2];
        paths.Find(Encoding.UTF8.GetBytes(first), starts, lengths, memo);
        var bytes = Encoding.UTF8.GetBytes(second.Replace("\\u0001", "\u0001", StringComparison.Ordinal));

        Assert.Throws(Is.InstanceOf<JsonException>(), () => paths.Find(bytes, starts, lengths, memo));
        Assert.Throws(Is.InstanceOf<JsonException>(), () => paths.Find(bytes, starts, lengths));
    }

    /// <summary>
    /// The same text with some scalar values replaced by others (of any kind), and where each new one lies: any of them,
    /// or with <paramref name="hot"/> most often those (by index) and rarely another, now and then back to one of the values
    /// in its <paramref name="history"/>.
    /// </summary>
    private static (StringBuilder Text, List<(int Start, int Length)> Scalars) Successor(Random random, string text, List<(int Start, int Length)> scalars, HashSet<int>? hot, List<string>[] history)
    {
        var next = new StringBuilder(text.Length + 16);
        var nextScalars = new List<(int Start, int Length)>(scalars.Count);
        var at = 0;
        for (var k = 0; k < scalars.Count; k++)
        {
            var (start, length) = scalars[k];
            next.Append(text, at, start - at);
            var newStart = next.Length;
            var changes = hot is null || (hot.Contains(k) ? random.Next(8) != 0 : random.Next(12) == 0);
            if (!changes)
            {
                next.Append(text, start, length);
            }
            else if (hot is not null && random.Next(3) == 0)
            {
                // Back to a value it had before (a token that comes again): maybe the one the memo compares with.
                next.Append(history[k][random.Next(history[k].Count)]);
            }
            else if (text[start] == '"' && random.Next(4) == 0)
            {
                // The string goes on from some place in it (most often its end, as a cumulative stream's text grows; now
                // and then inside an escape or a character), with more characters and escapes, now and then a broken one.
                var backslashes = Enumerable.Range(1, length - 2).Where(k => text[start + k] == '\\').ToList();
                var keep = random.Next(3) switch
                {
                    0 => length - 1,
                    1 when backslashes.Count > 0 => Math.Min(length - 1, backslashes[random.Next(backslashes.Count)] + random.Next(1, 8)), // inside or just after an escape
                    _ => random.Next(1, length),
                };
                next.Append(text, start, keep);
                for (var n = random.Next(2) == 0 ? random.Next(4) : random.Next(20, 40); n > 0; n--) // (long strings too: a resume is looked for only past the 64th byte)
                {
                    next.Append(Continuations[random.Next(random.Next(8) == 0 ? Continuations.Length : Continuations.Length - 4)]);
                }

                next.Append('"');
            }
            else if (random.Next(3) == 0)
            {
                JsonPathSetFastScanTests.Scalar(random, next, random.Next(3));
            }
            else
            {
                next.Append(text, start, length);
            }

            nextScalars.Add((newStart, next.Length - newStart));
            at = start + length;
        }

        next.Append(text, at, text.Length - at);
        return (next, nextScalars);
    }

    // What a string goes on with: characters and escapes, then (the last four, rarely) a broken escape, a control character, a lone backslash.
    private static readonly string[] Continuations = ["a", "é", "你", "😀", "\\n", "\\\\", "\\\"", "\\u00e9", "\\uD83D\\uDE00", "\\/", "\\x", "\\u12", "\u0001", "\\"];

    private static string Show(byte[] bytes, int start, int length) => start < 0 ? "absent" : Encoding.UTF8.GetString(bytes, start, length);

    private static (int[] Starts, int[] Lengths, string? Error) Run(byte[] bytes, Action<int[], int[]> find)
    {
        var starts = new int[JsonPathSetFastScanTests.Paths.SlotCount];
        var lengths = new int[JsonPathSetFastScanTests.Paths.SlotCount];
        try
        {
            find(starts, lengths);
            return (starts, lengths, null);
        }
        catch (JsonException e)
        {
            return (starts, lengths, e.Message);
        }
    }
}
