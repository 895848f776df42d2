using System.Text.Json;
using LlmAdapters.Internal;
using LlmAdapters.Mapping;

namespace LlmAdapters.Tests.Mapping;

public class KeyPathTests
{
    private static readonly JsonElement Doc = JsonDocument.Parse("""
        {
          "choices": [ { "messages": [ { "text": "first" }, { "text": "last" } ], "message": { "content": "你好" } } ],
          "a.b": { "c d": 1 },
          "it's": true,
          "n": null,
          "arr": [10, 20, 30]
        }
        """).RootElement;

    [TestCase("choices[0].messages[0].text", "first")]
    [TestCase("choices[0].messages[-1].text", "last")]
    [TestCase("choices[0].message.content", "你好")]
    [TestCase("$.choices[0].message.content", "你好")]
    [TestCase("$choices[0].message.content", "你好")]
    [TestCase("['a.b']['c d']", "1")]
    [TestCase("[\"a.b\"][\"c d\"]", "1")]
    [TestCase("['it\\'s']", "true")]
    [TestCase("arr[-3]", "10")]
    [TestCase("arr[2]", "30")]
    public void Evaluate_FindsValue(string path, string expected)
    {
        Assert.That(KeyPath.Parse(path).TryEvaluate(Doc, out var value), Is.True);
        Assert.That(JsonValues.ToText(value), Is.EqualTo(expected));
    }

    [TestCase("")]
    [TestCase("$")]
    public void Evaluate_EmptyPathIsRoot(string path)
    {
        Assert.That(KeyPath.Parse(path).TryEvaluate(Doc, out var value), Is.True);
        Assert.That(value.ValueKind, Is.EqualTo(JsonValueKind.Object));
    }

    [TestCase("choices[1].message")]
    [TestCase("choices[0].nope")]
    [TestCase("arr[3]")]
    [TestCase("arr[-4]")]
    [TestCase("arr.x")]
    [TestCase("n.x")]
    [TestCase("choices.x")]
    [TestCase("arr[0][0]")]
    public void Evaluate_MissingGivesFalseNotException(string path)
    {
        Assert.That(KeyPath.Parse(path).TryEvaluate(Doc, out _), Is.False);
    }

    [TestCase("a..b", "empty key")]
    [TestCase(".a", "starts with '.'")]
    [TestCase("a.", "ends with '.'")]
    [TestCase("a[0", "without a matching ']'")]
    [TestCase("a[x]", "write an integer index")]
    [TestCase("a]", "without a matching '['")]
    [TestCase("a['x", "unterminated")]
    [TestCase("a[0]b", "where '.' or '[' was expected")]
    public void Parse_RejectsMalformedPathsWithAReason(string path, string reason)
    {
        Assert.That(KeyPath.TryParse(path, out _, out var error), Is.False);
        Assert.That(error, Does.Contain(reason).And.Contain(path));
    }

    /// <summary>The index is read by hand (no culture, so no ICU on a cold load) exactly as int.TryParse with a leading sign reads it.</summary>
    [TestCase("0")]
    [TestCase("7")]
    [TestCase("-1")]
    [TestCase("+2")]
    [TestCase("-0")]
    [TestCase("007")]
    [TestCase("123456789")]
    [TestCase("1234567890")]
    [TestCase("2147483647")]
    [TestCase("2147483648")]
    [TestCase("-2147483648")]
    [TestCase("-2147483649")]
    [TestCase("0000000000012")]
    [TestCase(" 1")]
    [TestCase("1 ")]
    [TestCase("+")]
    [TestCase("-")]
    [TestCase("--1")]
    [TestCase("1a")]
    [TestCase("1.0")]
    [TestCase("\u0661")]
    public void Parse_Index_AsIntTryParseReadsIt(string inner)
    {
        inner = System.Text.RegularExpressions.Regex.Unescape(inner);
        var expected = int.TryParse(inner, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var index);
        Assert.That(KeyPath.TryParse($"arr[{inner}]", out var path, out _), Is.EqualTo(expected));
        if (expected)
        {
            Assert.That(path!.Segments[1].IsIndex, Is.True);
            Assert.That(path.Segments[1].Index, Is.EqualTo(index));
        }
    }

    [Test]
    public void Parse_RejectsAbsurdlyDeepPaths()
    {
        var deep = string.Join('.', Enumerable.Repeat("a", KeyPath.MaxSegments + 1));
        Assert.That(KeyPath.TryParse(deep, out _, out var error), Is.False);
        Assert.That(error, Does.Contain("more than 64 steps"));
    }

    [Test]
    public void Evaluate_DoesNotAllocate()
    {
        var path = KeyPath.Parse("choices[0].messages[-1].text");
        path.TryEvaluate(Doc, out _);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            path.TryEvaluate(Doc, out _);
        }

        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero);
    }

    private static readonly JsonElement ListDoc = JsonDocument.Parse("""
        { "data": [ { "id": "a" }, { "other": 1 }, { "id": null }, { "id": "b", "n": { "v": [1, 2] } }, 7 ], "obj": { "id": "x" }, "empty": [] }
        """).RootElement;

    [TestCase("data[*].id", """["a","b"]""")]
    [TestCase("$.data[*].id", """["a","b"]""")]
    [TestCase("data[*].n.v[-1]", "[2]")]
    [TestCase("data[*]", """[{"id":"a"},{"other":1},{"id":null},{"id":"b","n":{"v":[1,2]}},7]""")]
    [TestCase("empty[*].id", "[]")]
    [TestCase("data[*].missing", "[]")]
    public void Evaluate_ProjectionGivesEveryElementFoundInOrder_SkippingAbsentAndNull(string path, string expected)
    {
        var parsed = KeyPath.Parse(path);
        Assert.That(parsed.IsProjection, Is.True);
        Assert.That(parsed.NeedsDocument, Is.True);
        Assert.That(parsed.TryEvaluate(ListDoc, out var value), Is.True);
        Assert.That(value.GetRawText(), Is.EqualTo(expected));
    }

    [TestCase("obj[*].id")]
    [TestCase("nope[*].id")]
    [TestCase("data[0].id[*]")]
    [TestCase("[*]")]
    public void Evaluate_ProjectionOverNonArrayIsAbsent(string path)
    {
        Assert.That(KeyPath.Parse(path).TryEvaluate(ListDoc, out _), Is.False);
    }

    [Test]
    public void Evaluate_ProjectionValueOutlivesTheDocument()
    {
        JsonElement value;
        using (var document = JsonDocument.Parse("""{ "data": [ { "id": "m1" }, { "id": "m2" } ] }"""))
        {
            Assert.That(KeyPath.Parse("data[*].id").TryEvaluate(document.RootElement, out value), Is.True);
        }

        Assert.That(value.EnumerateArray().Select(e => e.GetString()), Is.EqualTo(new[] { "m1", "m2" }));
    }

    [Test]
    public void Parse_RejectsTwoProjections()
    {
        Assert.That(KeyPath.TryParse("a[*].b[*].c", out _, out var error), Is.False);
        Assert.That(error, Does.Contain("[*] 2 times").And.Contain("a[*].b[*].c"));
    }

    [Test]
    public void Parse_PlainPathsAreNotProjections()
    {
        Assert.That(KeyPath.Parse("data[0].id").IsProjection, Is.False);
        Assert.That(KeyPath.Parse("data[0].id").NeedsDocument, Is.False);
        Assert.That(KeyPath.Parse("data[-1].id").NeedsDocument, Is.True);
        Assert.That(KeyPath.Parse("['[*]']").IsProjection, Is.False);
    }
}
