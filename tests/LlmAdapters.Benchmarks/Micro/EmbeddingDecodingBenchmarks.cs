using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using BenchmarkDotNet.Attributes;
using LlmAdapters.Mapping;

namespace LlmAdapters.Benchmarks.Micro;

/// <summary>
/// Decoding an OpenAI embeddings response (<see cref="Count"/> vectors of 1,536 numbers, the size of
/// text-embedding-3-small) from its bytes in memory: the shipped openai <c>embeddings</c> call's reader (the path
/// <c>data[*].embedding</c>, read with Utf8JsonReader straight into float arrays), next to the hand-written
/// baseline (System.Text.Json into a typed model with <c>float[]</c>, as a client written for OpenAI alone does) and to
/// a JsonDocument walk (a JSON element per number, what the reader avoids). Each returns the sum of the first
/// numbers, after checking the count.
/// </summary>
[MemoryDiagnoser]
public class EmbeddingDecodingBenchmarks
{
    private const int Dimensions = 1536;
    private byte[] _body = [];
    private EmbeddingReader _reader = null!;

    [Params(16, 256)]
    public int Count { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        var sb = new StringBuilder("{\"object\":\"list\",\"data\":[");
        for (var i = 0; i < Count; i++)
        {
            sb.Append(i == 0 ? "" : ",").Append("{\"object\":\"embedding\",\"index\":").Append(i).Append(",\"embedding\":[");
            for (var d = 0; d < Dimensions; d++)
            {
                sb.Append(d == 0 ? "" : ",").Append(((float)(random.NextDouble() * 0.2 - 0.1)).ToString("R", CultureInfo.InvariantCulture));
            }

            sb.Append("]}");
        }

        _body = Encoding.UTF8.GetBytes(sb.Append("],\"model\":\"text-embedding-3-small\",\"usage\":{\"prompt_tokens\":8,\"total_tokens\":8}}").ToString());
        if (!EmbeddingReader.TryCreate(KeyPath.Parse("data[*].embedding"), out var reader, out var error))
        {
            throw new InvalidOperationException(error);
        }

        _reader = reader;

        // All three must read the same numbers, or the comparison means nothing.
        var hand = HandWritten();
        if (hand != LlmAdapters() || hand != JsonDocumentWalk())
        {
            throw new InvalidOperationException("the decoders disagree");
        }

        Console.WriteLine($"// EmbeddingDecoding: {Count} vectors of {Dimensions}, {_body.Length} bytes; all three decoders verified");
    }

    [Benchmark(Baseline = true)]
    public float HandWritten()
    {
        var response = JsonSerializer.Deserialize(_body, EmbeddingJson.Default.EmbeddingResponse)!;
        return Sum(response.Data.Count, i => response.Data[i].Embedding);
    }

    [Benchmark]
    public float LlmAdapters()
    {
        var vectors = _reader.Read(_body);
        return Sum(vectors.Length, i => vectors[i].Span[0]);
    }

    [Benchmark]
    public float JsonDocumentWalk()
    {
        using var document = JsonDocument.Parse(_body);
        var data = document.RootElement.GetProperty("data");
        var vectors = new List<float[]>();
        foreach (var item in data.EnumerateArray())
        {
            var embedding = item.GetProperty("embedding");
            var vector = new float[embedding.GetArrayLength()];
            var d = 0;
            foreach (var number in embedding.EnumerateArray())
            {
                vector[d++] = number.GetSingle();
            }

            vectors.Add(vector);
        }

        return Sum(vectors.Count, i => vectors[i]);
    }

    private float Sum(int count, Func<int, float[]> vector) => Sum(count, i => vector(i)[0]);

    private float Sum(int count, Func<int, float> first)
    {
        if (count != Count)
        {
            throw new InvalidOperationException($"{count} vectors, not {Count}");
        }

        var sum = 0f;
        for (var i = 0; i < count; i++)
        {
            sum += first(i);
        }

        return sum;
    }
}

/// <summary>The hand-written client's model of the response (https://platform.openai.com/docs/api-reference/embeddings/object).</summary>
public sealed class EmbeddingResponse
{
    [JsonPropertyName("data")]
    public List<EmbeddingItem> Data { get; set; } = [];

    [JsonPropertyName("model")]
    public string? Model { get; set; }
}

/// <summary>One vector of <see cref="EmbeddingResponse"/>.</summary>
public sealed class EmbeddingItem
{
    [JsonPropertyName("index")]
    public int Index { get; set; }

    [JsonPropertyName("embedding")]
    public float[] Embedding { get; set; } = [];
}

/// <summary>Source-generated serialization for the hand-written model, as a careful hand-written client has.</summary>
[JsonSerializable(typeof(EmbeddingResponse))]
internal sealed partial class EmbeddingJson : JsonSerializerContext;
