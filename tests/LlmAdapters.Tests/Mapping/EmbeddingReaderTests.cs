using System.Globalization;
using System.Text;
using LlmAdapters.Mapping;

namespace LlmAdapters.Tests.Mapping;

public class EmbeddingReaderTests
{
    private static EmbeddingReader Reader(string path)
    {
        Assert.That(EmbeddingReader.TryCreate(KeyPath.Parse(path), out var reader, out var error), Is.True, error);
        return reader!;
    }

    /// <summary>An OpenAI-shaped body (https://platform.openai.com/docs/api-reference/embeddings/object) with <paramref name="count"/> vectors of <paramref name="dimensions"/> numbers.</summary>
    internal static byte[] OpenAiBody(int count, int dimensions)
    {
        var random = new Random(42);
        var sb = new StringBuilder("{\"object\":\"list\",\"data\":[");
        for (var i = 0; i < count; i++)
        {
            sb.Append(i == 0 ? "" : ",").Append("{\"object\":\"embedding\",\"index\":").Append(i).Append(",\"embedding\":[");
            for (var d = 0; d < dimensions; d++)
            {
                sb.Append(d == 0 ? "" : ",").Append(((float)(random.NextDouble() * 0.2 - 0.1)).ToString("R", CultureInfo.InvariantCulture));
            }

            sb.Append("]}");
        }

        return Encoding.UTF8.GetBytes(sb.Append("],\"model\":\"text-embedding-3-small\",\"usage\":{\"prompt_tokens\":8,\"total_tokens\":8}}").ToString());
    }

    [Test]
    public void Read_Projection_GivesEveryVectorExactly()
    {
        var body = """{"data":[{"index":0,"embedding":[0.0023064255,-0.009327292,-0.0028842222]},{"index":1,"embedding":[1,-2.5e-3,3E2]}],"model":"m"}"""u8.ToArray();

        var vectors = Reader("data[*].embedding").Read(body);

        Assert.That(vectors.Select(v => v.ToArray()), Is.EqualTo(new[] { new[] { 0.0023064255f, -0.009327292f, -0.0028842222f }, new[] { 1f, -2.5e-3f, 300f } }));
    }

    [Test]
    public void Read_ListOfLists_AndTheEmptyList()
    {
        Assert.That(Reader("embeddings.float").Read("""{"embeddings":{"float":[[1,2],[3,4]]}}"""u8).Select(v => v.ToArray()), Is.EqualTo(new[] { new[] { 1f, 2f }, new[] { 3f, 4f } }));
        Assert.That(Reader("embeddings").Read("""{"embeddings":[]}"""u8), Is.Empty);
    }

    [Test]
    public void Read_AVectorLongerThanThePooledBuffer_IsWhole()
    {
        var body = OpenAiBody(3, 5000);
        var vectors = Reader("data[*].embedding").Read(body);

        Assert.That(vectors.Select(v => v.Length), Is.EqualTo(new[] { 5000, 5000, 5000 }));
    }

    [Test]
    public void Read_AnElementWithoutTheVector_IsAFormatException()
    {
        var e = Assert.Throws<FormatException>(() => Reader("data[*].embedding").Read("""{"data":[{"embedding":[1]},{"index":1}]}"""u8.ToArray()))!;
        Assert.That(e.Message, Does.Contain("entry 1"));
    }

    [Test]
    public void Read_NestedKeysAfterTheProjection_AndKeysAroundTheVector()
    {
        var body = """{"items":[{"x":{"skip":[1,{"a":2}]},"e":{"id":0,"v":[1,2],"after":{"v":9}}},{"e":{"v":[3]}}]}"""u8.ToArray();

        Assert.That(Reader("items[*].e.v").Read(body).Select(v => v.ToArray()), Is.EqualTo(new[] { new[] { 1f, 2f }, new[] { 3f } }));
    }

    [TestCase("""{"data":[{"embedding":[1],"embedding":[2]}]}""", "has the key 'embedding' twice")]
    [TestCase("""{"data":[{"embedding":[1]},7]}""", "entry 1")]
    [TestCase("""{"data":[{"embedding":"AAAAPw=="}]}""", "is a JSON string, not a list of numbers")]
    [TestCase("""{"data":[{"e\u006dbedding":[1]},{"other":[2]}]}""", "entry 1")]
    public void Read_AnEntryThatIsNotOneVector_IsAFormatException(string json, string reason)
    {
        var e = Assert.Throws<FormatException>(() => Reader("data[*].embedding").Read(System.Text.Encoding.UTF8.GetBytes(json)))!;
        Assert.That(e.Message, Does.Contain(reason));
    }

    [Test]
    public void Read_IndexesAfterTheProjection_AreFoundInEachEntry()
    {
        var body = """{"data":[{"e":[[9],[1,2]]},{"e":[[8],[3]]}]}"""u8.ToArray();

        Assert.That(Reader("data[*].e[1]").Read(body).Select(v => v.ToArray()), Is.EqualTo(new[] { new[] { 1f, 2f }, new[] { 3f } }));
    }

    [TestCase("data[*].embedding")]
    [TestCase("vectors")]
    public void Read_AllocatesTheVectorsAndASmallConstantPerVector(string path)
    {
        const int Count = 64, Dimensions = 1536;
        var body = path == "vectors"
            ? Encoding.UTF8.GetBytes("{\"vectors\":[" + string.Join(",", Enumerable.Range(0, Count).Select(_ => "[" + string.Join(",", Enumerable.Range(0, Dimensions).Select(d => (d * 0.001f - 0.7f).ToString("R", CultureInfo.InvariantCulture))) + "]")) + "]}")
            : OpenAiBody(Count, Dimensions);
        var reader = Reader(path);
        reader.Read(body); // warm-up: the pool's buffer, JIT

        var before = GC.GetAllocatedBytesForCurrentThread();
        var vectors = reader.Read(body);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.That(vectors, Has.Length.EqualTo(Count));
        var floatArrays = Count * (Dimensions * sizeof(float) + 24L); // each float[]: its numbers and the array header
        TestContext.Out.WriteLine($"{path}: {allocated} bytes allocated for {Count} vectors of {Dimensions}: {floatArrays} in the float arrays, {(allocated - floatArrays) / (double)Count:F1} bytes more per vector");
        Assert.That(allocated, Is.GreaterThanOrEqualTo(floatArrays));
        // About 50 B a vector when run alone (the list of vectors); up to about 80 B measured in the full suite. A value per
        // number would be 1,536 times more than that.
        Assert.That(allocated, Is.LessThanOrEqualTo(floatArrays + (Count * 128) + 4096), "more than the float arrays and a small constant per vector: a value per number was made");
    }
}
