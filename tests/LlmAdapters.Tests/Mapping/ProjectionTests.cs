using System.Net;
using System.Text.Json;
using LlmAdapters.Tests.TestSupport;

namespace LlmAdapters.Tests.Mapping;

/// <summary><c>[*]</c> projections in resp items, end to end: Fields, Text, the join converter, streams, definition errors.</summary>
public class ProjectionTests
{
    private const string Definition = """
        {
          "name": "proj",
          "models": {
            "path": "/models", "method": "GET",
            "resp": [
              { "name": "models", "value": "data[*].id" },
              { "name": "first", "value": "data[0].id" }
            ]
          },
          "joined": {
            "path": "/models", "method": "GET",
            "resp": [
              { "name": "text", "value": "data[*].id", "converter": "join", "args": ", " },
              { "name": "models", "value": "data[*].id" }
            ]
          },
          "images": {
            "path": "/images", "method": "GET",
            "resp": [
              { "name": "content", "value": "output.results[*].url" },
              { "name": "urls", "value": "output.results[*].url" }
            ]
          },
          "stream": {
            "path": "/s", "apitype": "stream", "stream_format": "sse", "stream_done": "[DONE]",
            "input_items": ["prompt"],
            "data": [ { "name": "prompt", "value": "${prompt}" } ],
            "resp": [
              { "name": "content", "value": "choices[*].delta.content", "converter": "join", "args": "" },
              { "name": "indexes", "value": "choices[*].index" }
            ]
          }
        }
        """;

    private static readonly LlmCatalog Catalog = LlmCatalog.FromJson(Definition, "proj.json");

    private static ILlmClient Client(RecordingHandler handler)
        => Catalog.CreateClient(new LlmProfile { Adapter = "proj", BaseUrl = "https://api.example.com/", Retry = new LlmRetryOptions { MaxRetries = 0 } }, handler.Mock);

    private const string Models = """{ "object": "list", "data": [ { "id": "gpt-4o", "object": "model" }, { "id": "text-embedding-3-small", "object": "model" }, { "object": "model" } ] }""";

    [Test]
    public async Task Models_TextIsOneIdPerLine_FieldIsTheList()
    {
        var response = await Client(RecordingHandler.Json(Models)).CallAsync(new LlmRequest { Call = "models" });

        Assert.That(response.Text, Is.EqualTo("gpt-4o\ntext-embedding-3-small"));
        Assert.That(response.Fields["models"].ValueKind, Is.EqualTo(JsonValueKind.Array));
        Assert.That(response.Fields["models"].EnumerateArray().Select(e => e.GetString()), Is.EqualTo(new[] { "gpt-4o", "text-embedding-3-small" }));
        Assert.That(response.GetString("first"), Is.EqualTo("gpt-4o"));
    }

    [Test]
    public async Task Join_ConverterWithArgs_GivesTheText()
    {
        var response = await Client(RecordingHandler.Json(Models)).CallAsync(new LlmRequest { Call = "joined" });

        Assert.That(response.Text, Is.EqualTo("gpt-4o, text-embedding-3-small"));
        Assert.That(response.Fields["models"].GetArrayLength(), Is.EqualTo(2));
    }

    [Test]
    public async Task EmptyList_GivesEmptyTextAndEmptyList()
    {
        var response = await Client(RecordingHandler.Json("""{ "data": [] }""")).CallAsync(new LlmRequest { Call = "models" });

        Assert.That(response.Text, Is.Empty);
        Assert.That(response.Fields["models"].GetRawText(), Is.EqualTo("[]"));
    }

    [Test]
    public async Task ProjectionOverNonArray_IsAbsentNotACrash()
    {
        var response = await Client(RecordingHandler.Json("""{ "data": { "id": "x" } }""")).CallAsync(new LlmRequest { Call = "models" });

        Assert.That(response.Text, Is.Empty);
        Assert.That(response.Fields["models"].ValueKind, Is.EqualTo(JsonValueKind.Null));
    }

    [Test]
    public async Task TextItemProjection_WithNoElements_IsAnEmptyAnswer_AndNoArrayIsNoAnswer()
    {
        // DashScope wanx: a result without a url (a failed image among several) is skipped.
        var some = await Client(RecordingHandler.Json("""{ "output": { "results": [ { "url": "https://a/1.png" }, { "code": "DataInspectionFailed" }, { "url": "https://a/2.png" } ] } }"""))
            .CallAsync(new LlmRequest { Call = "images" });
        Assert.That(some.Text, Is.EqualTo("https://a/1.png\nhttps://a/2.png"));
        Assert.That(some.Fields["urls"].GetArrayLength(), Is.EqualTo(2));

        var e = Assert.ThrowsAsync<LlmHttpException>(() => Client(RecordingHandler.Json("""{ "output": { } }""")).CallAsync(new LlmRequest { Call = "images" }))!;
        Assert.That(e.Message, Does.Contain("'content'").And.Contain("output.results[*].url"));
    }

    [Test]
    public async Task Stream_ProjectsEveryChunk()
    {
        var body = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"你\"}},{\"index\":1,\"delta\":{\"content\":\"好\"}}]}\n\n" +
                   "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"😀\"}}]}\n\ndata: [DONE]\n\n";
        var response = await Client(StreamResponses.Body(body)).CallAsync(new LlmRequest { Call = "stream", Prompt = "hi" });

        Assert.That(response.Text, Is.EqualTo("你好😀"));
        Assert.That(response.Fields["indexes"].GetRawText(), Is.EqualTo("[0]"));
    }

    [Test]
    public void Args_WithoutConverter_IsADefinitionError()
    {
        var e = Assert.Throws<LlmDefinitionException>(() => LlmCatalog.FromJson("""
            { "name": "x", "c": { "path": "/a", "resp": [ { "name": "text", "value": "a[*]", "args": ", " } ] } }
            """, "x.json"))!;
        Assert.That(e.Message, Does.Contain("x.json").And.Contain("has no \"converter\"").And.Contain("args"));
    }

    [Test]
    public void Args_OnAConverterWithoutArgs_IsADefinitionError()
    {
        var e = Assert.Throws<LlmDefinitionException>(() => LlmCatalog.FromJson("""
            { "name": "x", "c": { "path": "/a", "resp": [ { "name": "text", "value": "a", "converter": "int", "args": 3 } ] } }
            """, "x.json"))!;
        Assert.That(e.Message, Does.Contain("converter 'int' takes no \"args\"").And.Contain("join"));
    }

    [Test]
    public void Args_OfTheWrongKind_IsADefinitionError()
    {
        var e = Assert.Throws<LlmDefinitionException>(() => LlmCatalog.FromJson("""
            { "name": "x", "c": { "path": "/a", "data": [ { "name": "stop", "value": "${stop?}", "converter": "join", "args": 1 } ] } }
            """, "x.json"))!;
        Assert.That(e.Message, Does.Contain("\"args\" of converter 'join'").And.Contain("separator as a string"));
    }

    [Test]
    public void TwoProjectionsInOnePath_IsADefinitionError()
    {
        var e = Assert.Throws<LlmDefinitionException>(() => LlmCatalog.FromJson("""
            { "name": "x", "c": { "path": "/a", "resp": [ { "name": "text", "value": "a[*].b[*]" } ] } }
            """, "x.json"))!;
        Assert.That(e.Message, Does.Contain("a[*].b[*]").And.Contain("one array only"));
    }
}
