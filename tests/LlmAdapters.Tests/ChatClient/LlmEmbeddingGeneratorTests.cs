using System.Net;
using LlmAdapters.Tests.TestSupport;
using Microsoft.Extensions.AI;

namespace LlmAdapters.Tests.ChatClient;

/// <summary><see cref="LlmEmbeddingGeneratorExtensions.AsIEmbeddingGenerator"/> over the shipped openai adapter's <c>embeddings</c> call.</summary>
public class LlmEmbeddingGeneratorTests
{
    private static readonly LlmCatalog Catalog = LlmCatalog.FromDirectory(Paths.Adapters);

    private const string TwoVectors = """
        {"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.0023064255,-0.009327292,-0.0028842222]},{"object":"embedding","index":1,"embedding":[0.5,-0.25,0.125]}],"model":"text-embedding-3-small","usage":{"prompt_tokens":8,"total_tokens":8}}
        """;

    private static ILlmClient Client(RecordingHandler handler) => Catalog.CreateClient(
        new LlmProfile { Adapter = "openai", BaseUrl = "https://api.openai.com/v1", Variables = { ["apikey"] = "sk-test", ["model"] = "text-embedding-3-small" }, Retry = new LlmRetryOptions { MaxRetries = 0 } },
        handler.Mock);

    [Test]
    public async Task ThroughEmbeddingGeneratorBuilder_GivesTheVectorsInOrder_WithModelAndUsage()
    {
        var handler = RecordingHandler.Json(TwoVectors);
        using var generator = new EmbeddingGeneratorBuilder<string, Embedding<float>>(Client(handler).AsIEmbeddingGenerator()).Build();

        var embeddings = await generator.GenerateAsync(["The food was delicious", "你好"], new EmbeddingGenerationOptions { Dimensions = 3 });

        Json.AssertEqual("""{ "model": "text-embedding-3-small", "input": ["The food was delicious", "你好"], "dimensions": 3, "encoding_format": "float" }""", handler.Last.Body!);
        Assert.That(embeddings, Has.Count.EqualTo(2));
        Assert.That(embeddings[0].Vector.ToArray(), Is.EqualTo(new[] { 0.0023064255f, -0.009327292f, -0.0028842222f }));
        Assert.That(embeddings[1].Vector.ToArray(), Is.EqualTo(new[] { 0.5f, -0.25f, 0.125f }));
        Assert.That(embeddings.Select(e => e.Dimensions), Is.All.EqualTo(3));
        Assert.That(embeddings.Select(e => e.ModelId), Is.All.EqualTo("text-embedding-3-small"));
        Assert.That(embeddings.Usage?.InputTokenCount, Is.EqualTo(8));
        Assert.That(embeddings.Usage?.TotalTokenCount, Is.EqualTo(8));
    }

    [Test]
    public async Task GenerateVectorAsync_TheSingleValueHelper_Works()
    {
        var handler = RecordingHandler.Json("""{"object":"list","data":[{"object":"embedding","index":0,"embedding":[1,2]}],"model":"m2"}""");
        var generator = Client(handler).AsIEmbeddingGenerator(modelId: "m2");

        var vector = await generator.GenerateVectorAsync("one");

        Assert.That(vector.ToArray(), Is.EqualTo(new[] { 1f, 2f }));
        Json.AssertEqual("""{ "model": "m2", "input": ["one"], "encoding_format": "float" }""", handler.Last.Body!);
    }

    [Test]
    public async Task NoValues_SendsNothing()
    {
        var handler = RecordingHandler.Json(TwoVectors);
        var embeddings = await Client(handler).AsIEmbeddingGenerator().GenerateAsync([]);

        Assert.That(embeddings, Is.Empty);
        Assert.That(handler.Requests, Is.Empty);
    }

    [Test]
    public void Dimensions_OnAVendorWithoutThem_IsAnLlmRequestExceptionBeforeSending()
    {
        var handler = RecordingHandler.Json("{}");
        var ollama = Catalog.CreateClient(new LlmProfile { Adapter = "ollama", BaseUrl = "http://localhost:11434", Variables = { ["model"] = "all-minilm" } }, handler.Mock);

        var e = Assert.ThrowsAsync<LlmRequestException>(() => ollama.AsIEmbeddingGenerator().GenerateAsync(["a"], new EmbeddingGenerationOptions { Dimensions = 256 }))!;

        Assert.That(e.Message, Does.Contain("Dimensions").And.Contain("call 'embeddings' of adapter 'ollama'"));
        Assert.That(handler.Requests, Is.Empty);
    }

    [Test]
    public async Task Metadata_NamesTheProviderModelAndDimensions_WhichEveryRequestAsksFor()
    {
        var handler = RecordingHandler.Json("""{"object":"list","data":[{"object":"embedding","index":0,"embedding":[1]}]}""");
        var generator = Client(handler).AsIEmbeddingGenerator(dimensions: 512);
        var metadata = generator.GetService<EmbeddingGeneratorMetadata>()!;

        Assert.That(metadata.ProviderName, Is.EqualTo("openai"));
        Assert.That(metadata.ProviderUri, Is.EqualTo(new Uri("https://api.openai.com/v1")));
        Assert.That(metadata.DefaultModelId, Is.EqualTo("text-embedding-3-small"));
        Assert.That(metadata.DefaultModelDimensions, Is.EqualTo(512));
        Assert.That(generator.GetService<ILlmClient>(), Is.Not.Null);

        await generator.GenerateAsync(["a"]);
        Json.AssertEqual("""{ "model": "text-embedding-3-small", "input": ["a"], "dimensions": 512, "encoding_format": "float" }""", handler.Last.Body!);
    }

    [Test]
    public void AVendorError_ComesThroughAsItsException()
    {
        var handler = RecordingHandler.Json("""{"error":{"message":"Incorrect API key provided","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}""", HttpStatusCode.Unauthorized);
        var e = Assert.ThrowsAsync<LlmHttpException>(() => Client(handler).AsIEmbeddingGenerator().GenerateAsync(["a"]))!;

        Assert.That(e.VendorCode, Is.EqualTo("invalid_api_key"));
    }
}
