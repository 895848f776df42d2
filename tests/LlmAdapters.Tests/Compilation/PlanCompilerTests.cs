using System.Text.Json;
using LlmAdapters.Compilation;
using LlmAdapters.Streaming;

namespace LlmAdapters.Tests.Compilation;

public class PlanCompilerTests
{
    /// <summary>The compiler finds a lower-case op by its place in the op names without lower-casing it (which would load ICU); the places follow <see cref="FilterOp"/>.</summary>
    [Test]
    public void FilterOp_EveryName_ParsesAsTheChunkFilterParsesIt()
    {
        Assert.That(ChunkFilter.OpNames, Has.Count.EqualTo(Enum.GetValues<FilterOp>().Length));
        foreach (var name in ChunkFilter.OpNames)
        {
            Assert.That(ChunkFilter.TryParseOp(name, out var expected), Is.True, name);
            Assert.That(PlanCompiler.TryParseFilterOp(name, out var op), Is.True, name);
            Assert.That(op, Is.EqualTo(expected), name);
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
    [TestCase("=")]
    [TestCase("")]
    [TestCase("equals")]
    public void FilterOp_OtherText_ParsesAsTheChunkFilterParsesIt(string text)
    {
        var expectedOk = ChunkFilter.TryParseOp(text, out var expected);
        Assert.That(PlanCompiler.TryParseFilterOp(text, out var op), Is.EqualTo(expectedOk));
        Assert.That(op, Is.EqualTo(expected));
    }
}
