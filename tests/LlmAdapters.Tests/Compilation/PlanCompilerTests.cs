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
