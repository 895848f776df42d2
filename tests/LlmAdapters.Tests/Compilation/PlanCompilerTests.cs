using System.Text.Json;
using LlmAdapters.Streaming;

namespace LlmAdapters.Tests.Compilation;

public class PlanCompilerTests
{
    /// <summary>A lower-case op is found by its place in the op names without lower-casing it (which would load ICU); the places follow <see cref="FilterOp"/>.</summary>
    [Test]
    public void FilterOp_EveryName_ParsesAsTheOpOfItsName()
    {
        Assert.That(ChunkFilter.OpNames, Has.Count.EqualTo(Enum.GetValues<FilterOp>().Length));
        foreach (var name in ChunkFilter.OpNames)
        {
            Assert.That(ChunkFilter.TryParseOp(name, out var op), Is.True, name);
            Assert.That(op, Is.EqualTo(Reference(name)), name);
        }
    }

    [Test]
    public void EveryShippedFilterOp_IsListedAsWritten()
    {
        // An op written as listed is found without lower-casing it, which would load ICU on a cold load.
        var ops = new List<string>();
        foreach (var file in Directory.GetFiles(Path.Combine(TestContext.CurrentContext.TestDirectory, "adapters"), "*.json").Where(f => !f.EndsWith(".schema.json", StringComparison.Ordinal)))
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(file), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            foreach (var call in document.RootElement.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.Object && p.Value.TryGetProperty("chunk_filter", out _)))
            {
                var filter = call.Value.GetProperty("chunk_filter");
                ops.AddRange((filter.ValueKind == JsonValueKind.Array ? filter.EnumerateArray().ToList() : [filter]).Select(f => f.GetProperty("op").GetString()!));
            }
        }

        Assert.That(ops, Is.Not.Empty);
        Assert.That(ops.Where(op => !ChunkFilter.OpNames.Contains(op.Trim())), Is.Empty);
    }

    [TestCase("CONTAINS")]
    [TestCase("StartsWith")]
    [TestCase("Regex")]
    [TestCase("=")]
    [TestCase("")]
    [TestCase("equals")]
    public void FilterOp_OtherText_ParsesIgnoringCase(string text)
    {
        var expected = Reference(text);
        Assert.That(ChunkFilter.TryParseOp(text, out var op), Is.EqualTo(expected is not null));
        if (expected is { } e)
        {
            Assert.That(op, Is.EqualTo(e));
        }
    }

    /// <summary>What each op name means, written out independently of the parser (ASCII names, so case is ignored ordinally).</summary>
    private static readonly Dictionary<string, FilterOp> Meanings = new(StringComparer.OrdinalIgnoreCase)
    {
        ["=="] = FilterOp.Equal, ["!="] = FilterOp.NotEqual, ["<"] = FilterOp.Less, ["<="] = FilterOp.LessOrEqual,
        [">"] = FilterOp.Greater, [">="] = FilterOp.GreaterOrEqual, ["contains"] = FilterOp.Contains,
        ["startswith"] = FilterOp.StartsWith, ["regex"] = FilterOp.Regex, ["exists"] = FilterOp.Exists, ["missing"] = FilterOp.Missing,
    };

    private static FilterOp? Reference(string text) => Meanings.TryGetValue(text, out var op) ? op : null;
}
