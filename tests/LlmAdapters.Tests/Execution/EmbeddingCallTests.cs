using System.Net;
using LlmAdapters.Tests.TestSupport;

namespace LlmAdapters.Tests.Execution;

/// <summary>Embedding calls: the <c>input</c> and <c>dimensions</c> variables, batching by <c>max_inputs</c>, the vectors, and the options a call cannot express.</summary>
public class EmbeddingCallTests
{
    private const string Definition = """
        {
          "name": "emb",
          "embed": {
            "path": "/embeddings",
            "data": [
              { "name": "model", "value": "${model}" },
              { "name": "input", "value": "${input}" },
              { "name": "dimensions", "value": "${dimensions?}" }
            ],
            "max_inputs": 2,
            "resp": [
              { "name": "embeddings", "value": "data[*].embedding" },
              { "name": "model", "value": "model" },
              { "name": "usage", "value": "usage" }
            ],
            "error": { "message": "error.message", "code": "error.code" }
          },
          "bare": {
            "path": "/bare",
            "data": [ { "name": "texts", "value": "${input}" } ],
            "resp": [ { "name": "embeddings", "value": "vectors" } ]
          },
          "chat": {
            "path": "/chat",
            "data": [ { "name": "prompt", "value": "${prompt}" } ],
            "resp": [ { "name": "text", "value": "reply" } ]
          }
        }
        """;

    private static readonly LlmCatalog Catalog = LlmCatalog.FromJson(Definition, "emb.json");

    private static ILlmClient Client(RecordingHandler handler) => Catalog.CreateClient(
        new LlmProfile { Adapter = "emb", BaseUrl = "https://api.example.com/v1/", Variables = { ["model"] = "m-embed" }, Retry = new LlmRetryOptions { MaxRetries = 0 } },
        handler.Mock);

    private static string Body(int tokens, params float[][] vectors)
    {
        var data = vectors.Select((v, i) => "{\"object\":\"embedding\",\"index\":" + i + ",\"embedding\":[" + string.Join(",", v.Select(x => x.ToString("R", System.Globalization.CultureInfo.InvariantCulture))) + "]}");
        return "{\"object\":\"list\",\"data\":[" + string.Join(",", data) + "],\"model\":\"m-embed\",\"usage\":{\"prompt_tokens\":" + tokens + ",\"total_tokens\":" + tokens + "}}";
    }

    [Test]
    public async Task Embed_SendsTheInputs_AndReadsTheVectorsInOrder()
    {
        var handler = RecordingHandler.Json(Body(8, [0.0023064255f, -0.009327292f], [-0.0028842222f, 1e-7f]));
        var response = await Client(handler).CallAsync(new LlmRequest { Call = "embed", Inputs = ["你好", "😀 emoji"], Dimensions = 2 });

        Json.AssertEqual("""{ "model": "m-embed", "input": ["你好", "😀 emoji"], "dimensions": 2 }""", handler.Last.Body!);
        Assert.That(response.Embeddings.Select(v => v.ToArray()), Is.EqualTo(new[] { new[] { 0.0023064255f, -0.009327292f }, new[] { -0.0028842222f, 1e-7f } }));
        Assert.That(response.Text, Is.Empty);
        Assert.That(response.Fields.ContainsKey("embeddings"), Is.False);
        Assert.That(response.GetString("model"), Is.EqualTo("m-embed"));
        Assert.That(response.Usage, Is.EqualTo(new LlmUsage(8, null, 8)));
    }

    [Test]
    public async Task Embed_SplitsALongListIntoBatchesOfMaxInputs_AndSumsTheUsage()
    {
        var handler = RecordingHandler.Sequence(
            (HttpStatusCode.OK, Body(3, [1f], [2f])),
            (HttpStatusCode.OK, Body(4, [3f], [4f])),
            (HttpStatusCode.OK, Body(5, [5f])));
        var response = await Client(handler).CallAsync(new LlmRequest { Call = "embed", Inputs = ["a", "b", "c", "d", "e"] });

        Assert.That(handler.Requests, Has.Count.EqualTo(3));
        Json.AssertEqual("""{ "model": "m-embed", "input": ["a", "b"] }""", handler.Requests[0].Body!);
        Json.AssertEqual("""{ "model": "m-embed", "input": ["c", "d"] }""", handler.Requests[1].Body!);
        Json.AssertEqual("""{ "model": "m-embed", "input": ["e"] }""", handler.Requests[2].Body!);
        Assert.That(response.Embeddings.Select(v => v.Span[0]), Is.EqualTo(new[] { 1f, 2f, 3f, 4f, 5f }));
        Assert.That(response.Usage, Is.EqualTo(new LlmUsage(12, null, 12)));
    }

    [Test]
    public void Embed_MoreOrFewerVectorsThanInputs_IsAnErrorNotAGuess()
    {
        var handler = RecordingHandler.Sequence((HttpStatusCode.OK, Body(3, [1f], [2f])), (HttpStatusCode.OK, Body(3, [3f])));
        var e = Assert.ThrowsAsync<LlmException>(() => Client(handler).CallAsync(new LlmRequest { Call = "embed", Inputs = ["a", "b", "c", "d"] }))!;

        Assert.That(e.Message, Does.Contain("1 embeddings for 2 inputs").And.Contain("inputs 3 to 4 of 4"));
    }

    [TestCase("""{"vectors":[[1,2],["x",3]]}""", "embedding 1 ('vectors') has a JSON string at element 0")]
    [TestCase("""{"vectors":[[1,2],[1e39]]}""", "does not fit a float")]
    [TestCase("""{"vectors":{"a":1}}""", "are a JSON object, not a list")]
    [TestCase("""{"other":1}""", "no list of embeddings at 'vectors'")]
    [TestCase("""{"vectors":[[1,2],[3]] trailing""", "no embeddings that can be read")]
    public void Embed_AVectorThatIsNotNumbers_IsAnErrorThatSaysWhere(string body, string reason)
    {
        var e = Assert.ThrowsAsync<LlmException>(() => Client(RecordingHandler.Json(body)).CallAsync(new LlmRequest { Call = "bare", Inputs = ["a", "b"] }))!;

        Assert.That(e.Message, Does.Contain(reason).And.Contain("call 'bare'"));
    }

    [Test]
    public async Task Embed_APathToAListOfVectors_ReadsEachVector()
    {
        var response = await Client(RecordingHandler.Json("""{"vectors":[[0.5,-0.25,1e-3],[],[3]]}""")).CallAsync(new LlmRequest { Call = "bare", Inputs = ["a", "b", "c"] });

        Assert.That(response.Embeddings.Select(v => v.ToArray()), Is.EqualTo(new[] { new[] { 0.5f, -0.25f, 1e-3f }, Array.Empty<float>(), new[] { 3f } }));
        Assert.That(response.Text, Is.Empty);
    }

    [Test]
    public void Dimensions_OnACallWithoutAPlaceForIt_FailsBeforeSending()
    {
        var handler = RecordingHandler.Json("{}");
        var e = Assert.ThrowsAsync<LlmRequestException>(() => Client(handler).CallAsync(new LlmRequest { Call = "bare", Inputs = ["a"], Dimensions = 256 }))!;

        Assert.That(e.Message, Does.Contain("Dimensions").And.Contain("call 'bare'").And.Contain("'embed'").And.Contain("nothing was sent"));
        Assert.That(handler.Requests, Is.Empty);
    }

    [Test]
    public void Inputs_OnAChatCall_FailBeforeSending()
    {
        var handler = RecordingHandler.Json("{}");
        var e = Assert.ThrowsAsync<LlmRequestException>(() => Client(handler).CallAsync(new LlmRequest { Call = "chat", Prompt = "hi", Inputs = ["a"] }))!;

        Assert.That(e.Message, Does.Contain("Inputs").And.Contain("${input}").And.Contain("call 'chat'"));
        Assert.That(handler.Requests, Is.Empty);
    }

    [Test]
    public void Embed_WithoutInputs_IsAMissingVariable()
    {
        var handler = RecordingHandler.Json("{}");
        var e = Assert.ThrowsAsync<LlmRequestException>(() => Client(handler).CallAsync(new LlmRequest { Call = "embed" }))!;

        Assert.That(e.Message, Does.Contain("input"));
        Assert.That(handler.Requests, Is.Empty);
    }

    [TestCase("""{ "name": "x", "c": { "path": "/a", "apitype": "stream", "resp": [ { "name": "embeddings", "value": "data[*].embedding" } ] } }""", "apitype must be sync")]
    [TestCase("""{ "name": "x", "c": { "path": "/a", "resp": [ { "name": "embeddings", "value": "data[*].embedding", "converter": "json" } ] } }""", "remove its \"converter\"")]
    [TestCase("""{ "name": "x", "c": { "path": "/a", "resp": [ { "name": "embeddings", "value": "a | b" } ] } }""", "not alternatives")]
    [TestCase("""{ "name": "x", "c": { "path": "/a", "resp": [ { "name": "embeddings", "value": "data[-1].embedding" } ] } }""", "negative index")]
    [TestCase("""{ "name": "x", "c": { "path": "/a", "max_inputs": 5, "resp": [ { "name": "text", "value": "a" } ] } }""", "only an embedding call does")]
    [TestCase("""{ "name": "x", "c": { "path": "/a", "max_inputs": 0, "resp": [ { "name": "embeddings", "value": "e" } ] } }""", "\"max_inputs\" must be a whole number of at least 1")]
    public void Definition_EmbeddingsProblems_AreDefinitionErrors(string json, string reason)
    {
        var e = Assert.Throws<LlmDefinitionException>(() => LlmCatalog.FromJson(json, "x.json"))!;
        Assert.That(e.Message, Does.Contain(reason).And.Contain("x.json"));
    }
}
