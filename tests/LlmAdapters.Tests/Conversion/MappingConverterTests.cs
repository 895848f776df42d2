using LlmAdapters.Tests.TestSupport;

namespace LlmAdapters.Tests.Conversion;

/// <summary>Converters declared in a definition file's "converters" section (src/LlmAdapters/Conversion/MappingConverter.cs).</summary>
public sealed class MappingConverterTests
{
    /// <summary>The authoring guide's worked example (adapters/README.md): Acme wants turns of {speaker, text}.</summary>
    private const string Acme = """
        {
          "name": "acme",
          "converters": {
            "acme_turns": {
              "description": "standard messages → Acme turns",
              "fields": { "speaker": "role", "text": "content" },
              "values": { "speaker": { "assistant": "bot" } }
            }
          },
          "chat": {
            "path": "/v2/generate",
            "data": [ { "name": "turns", "value": "${messages}", "converter": "acme_turns" } ]
          }
        }
        """;

    [Test]
    public async Task DeclaredConverter_ReshapesTheMessagesInTheRequestBody()
    {
        var catalog = LlmCatalog.FromJson(Acme, "acme.json");
        var handler = RecordingHandler.Json("""{"piece":"ok"}""");
        var client = catalog.CreateClient(new LlmProfile { Adapter = "acme", BaseUrl = "https://acme.test" }, handler.Mock);

        await client.CallAsync(new LlmRequest { System = "be brief", Messages = [new("user", "hi"), new("assistant", "yo"), new("user", "more")] });

        Json.AssertEqual(
            """{"turns":[{"speaker":"system","text":"be brief"},{"speaker":"user","text":"hi"},{"speaker":"bot","text":"yo"},{"speaker":"user","text":"more"}]}""",
            handler.Last.Body!);
    }

    [Test]
    public void DeclaredConverter_LeavesOutKeysWhosePathFindsNothing_AndMapsAnObject()
    {
        var converter = Single("""{ "fields": { "who": "role", "said": "content", "seen": "meta.seen" } }""");

        Json.AssertEqual("""{"who":"user","said":"hi"}""", converter.Convert(LlmConverter.ParseElement("""{"role":"user","content":"hi","meta":{"seen":null}}""")).GetRawText());
        Assert.That(converter.Convert(LlmConverter.ParseElement("null")).GetRawText(), Is.EqualTo("null"));
        Assert.That(() => converter.Convert(LlmConverter.ParseElement("\"text\"")), Throws.TypeOf<FormatException>().With.Message.Contains("'c' maps an object or an array of objects"));
    }

    [Test]
    public void DeclaredConverter_IsOnlyForItsOwnFile()
    {
        var other = """{ "name": "other", "chat": { "path": "/x", "data": [ { "name": "t", "value": "${messages}", "converter": "acme_turns" } ] } }""";

        var error = Assert.Throws<LlmDefinitionException>(() => new LlmCatalogBuilder().AddJson(Acme, "acme.json").AddJson(other, "other.json").Build());

        Assert.That(error!.Problems.Select(p => p.File), Is.EqualTo(new[] { "other.json" }));
        Assert.That(error.Problems[0].Message, Does.Contain("converter 'acme_turns' is unknown").And.Contain("\"converters\" section"));
    }

    [TestCase("""{ "c": { "feilds": { "a": "b" } } }""", "$.converters.c.feilds", "did you mean 'fields'?")]
    [TestCase("""{ "c": { } }""", "$.converters.c", "has no \"fields\"")]
    [TestCase("""{ "c": { "fields": { "a": 1 } } }""", "$.converters.c.fields.a", "must be a string")]
    [TestCase("""{ "c": { "fields": { "a": "b" }, "values": { "x": { "1": 2 } } } }""", "$.converters.c.values.x", "not one of its \"fields\"")]
    [TestCase("""{ "c": { "fields": { "a": "b[" } } }""", "$.converters.c.fields", "key path 'b[' of 'a'")]
    [TestCase("""[]""", "$.converters", "must be an object of named converters")]
    [TestCase("""{ "c": { "fields": { "a": "b", "a": "c" } } }""", "$.converters.c.fields.a", "has the key 'a' twice")]
    [TestCase("""{ "c": { "fields": { "a": "b" }, "values": { "a": { "x": 1, "x": 2 } } } }""", "$.converters.c.values.a.x", "lists 'x' twice")]
    public void InvalidDeclaration_IsADefinitionProblemWithItsJsonPath(string converters, string jsonPath, string message)
    {
        var json = $$"""{ "name": "x", "converters": {{converters}}, "chat": { "path": "/x" } }""";

        var error = Assert.Throws<LlmDefinitionException>(() => LlmCatalog.FromJson(json, "x.json"));

        Assert.That(error!.Problems.Select(p => (p.JsonPath, p.Message)), Has.Some.Matches<(string JsonPath, string Message)>(p => p.JsonPath == jsonPath && p.Message.Contains(message, StringComparison.Ordinal)), error.Message);
    }

    [Test]
    public void ConvertersSection_IsNotACall()
    {
        var catalog = LlmCatalog.FromJson(Acme, "acme.json");

        Assert.That(catalog.GetCalls("acme"), Is.EquivalentTo(new[] { "chat" }));
    }

    private static ILlmConverter Single(string declaration)
    {
        var json = $$"""{ "name": "x", "converters": { "c": {{declaration}} }, "chat": { "path": "/x", "data": [ { "name": "v", "value": "${v}", "converter": "c" } ] } }""";
        var problems = new List<LlmDefinitionProblem>();
        var definition = LlmAdapters.Definitions.DefinitionReader.Read(System.Text.Encoding.UTF8.GetBytes(json), "x.json", problems);
        Assert.That(problems, Is.Empty);
        return LlmAdapters.Conversion.MappingConverter.Create(definition!.Converters, problems).Single();
    }
}
