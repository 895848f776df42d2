using System.Text;
using System.Text.Json;
using LlmAdapters.Mapping;

namespace LlmAdapters.Tests.Mapping;

/// <summary>JsonPathSet finds, in one forward pass, what each KeyPath finds over a document, and nothing it does not.</summary>
public class JsonPathSetTests
{
    private static readonly string[] PathTexts =
    [
        "choices[0].delta.content",
        "choices[0].delta.role",
        "choices[1].delta.content",
        "choices[0].delta.content",
        "usage",
        "usage.total_tokens",
        "['we.ird']",
        "a.b[1].c",
        "missing.deeper",
        "model",
    ];

    private static readonly KeyPath?[] Paths = [.. PathTexts.Select(KeyPath.Parse)];

    [TestCase("""{"choices":[{"delta":{"content":"你好 😀","role":"assistant"}},{"delta":{"content":"second"}}],"usage":{"total_tokens":3},"model":"m"}""")]
    [TestCase("""{"choices":[{"delta":{"content":null}}],"usage":null,"a":{"b":[0,{"c":[1,{"x":"y"}]}]},"we.ird":true}""")]
    [TestCase("""{"choices":[{"delta":{"content":"first"}}],"choices":[{"delta":{"content":"last"}}]}""")]
    [TestCase("""{"ch\u006fices":[{"delta":{"c\u006fntent":"escaped names"}}],"model":"m\"q"}""")]
    [TestCase("""{"choices":{"0":{"delta":{"content":"an object, not an array"}}},"usage":[1,2],"model":{"nested":{"deep":[[]]}}}""")]
    [TestCase("""[{"choices":[]}]""")]
    [TestCase("""  "just a string"  """)]
    [TestCase("""{}""")]
    public void Find_GivesWhatEachPathGivesOverTheDocument(string body)
    {
        var json = Encoding.UTF8.GetBytes(body);
        var set = JsonPathSet.Build(Paths);
        var starts = new int[set.SlotCount];
        var lengths = new int[set.SlotCount];

        set.Find(json, starts, lengths);

        using var document = JsonDocument.Parse(json);
        for (var slot = 0; slot < Paths.Length; slot++)
        {
            var found = Paths[slot]!.TryEvaluate(document.RootElement, out var expected);
            if (!found)
            {
                Assert.That(starts[slot], Is.EqualTo(-1), PathTexts[slot]);
                continue;
            }

            Assert.That(starts[slot], Is.Not.EqualTo(-1), PathTexts[slot]);
            var raw = Encoding.UTF8.GetString(json, starts[slot], lengths[slot]);
            Assert.That(raw, Is.EqualTo(expected.GetRawText()), PathTexts[slot]);
        }
    }

    [Test]
    public void Build_NullAndNegativeIndexSlots_AreNeverFound_AndNegativeNeedsTheDocument()
    {
        var set = JsonPathSet.Build([KeyPath.Parse("items[-1]"), null, KeyPath.Parse("items[0]")]);
        var starts = new int[set.SlotCount];
        var lengths = new int[set.SlotCount];

        set.Find("""{"items":[1,2]}"""u8, starts, lengths);

        Assert.That(set.SlotCount, Is.EqualTo(3));
        Assert.That(set.NeedsDocument, Is.True);
        Assert.That(starts[..2], Is.EqualTo(new[] { -1, -1 }));
        Assert.That(Encoding.UTF8.GetString("""{"items":[1,2]}"""u8.ToArray(), starts[2], lengths[2]), Is.EqualTo("1"));
        Assert.That(JsonPathSet.Build([KeyPath.Parse("items[0]")]).NeedsDocument, Is.False);
    }

    [TestCase("""{"a":1} {"b":2}""")]
    [TestCase("""{"a":1""")]
    [TestCase("")]
    [TestCase("not json")]
    public void Find_ThrowsOnWhatIsNotOneJsonValue(string body)
    {
        var set = JsonPathSet.Build([KeyPath.Parse("a")]);
        Assert.That(() => set.Find(Encoding.UTF8.GetBytes(body), new int[1], new int[1]), Throws.InstanceOf<JsonException>());
    }

    [Test]
    public void Find_ThrowsBeyondTheDepthLimit()
    {
        var set = JsonPathSet.Build([KeyPath.Parse("a")]);
        var deep = Encoding.UTF8.GetBytes(new string('[', 10) + new string(']', 10));
        Assert.That(() => set.Find(deep, new int[1], new int[1], maxDepth: 5), Throws.InstanceOf<JsonException>());
        Assert.That(() => set.Find(deep, new int[1], new int[1], maxDepth: 64), Throws.Nothing);

        // The fast scan declines near the limit, whatever it is, and leaves the reader to enforce it: it never accepts
        // a depth the reader refuses.
        for (var limit = 1; limit <= 12; limit++)
        {
            var starts = new int[1];
            starts[0] = -1;
            if (set.TryFindFast(deep, starts, new int[1], limit))
            {
                Assert.That(() => set.FindWithReader(deep, new int[1], new int[1], limit), Throws.Nothing, $"maxDepth {limit}");
            }
        }

        Assert.That(set.TryFindFast(deep, new int[1], new int[1], 5), Is.False);

        Assert.That(set.TryFindFast(deep, new int[1], new int[1], 64), Is.True);
    }
}
