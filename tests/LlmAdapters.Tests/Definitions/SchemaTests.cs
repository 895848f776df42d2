using System.Text.Json;
using LlmAdapters.Conversion;
using LlmAdapters.Definitions;
using LlmAdapters.Streaming;
using LlmAdapters.Tests.TestSupport;

namespace LlmAdapters.Tests.Definitions;

/// <summary>Keeps adapters/llm-adapter.schema.json, the definition loader and the shipped adapters in step.</summary>
public class SchemaTests
{
    private static readonly string SchemaFile = Path.Combine(Paths.Adapters, "llm-adapter.schema.json");

    private static readonly JsonDocumentOptions Lenient = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    private static JsonElement Schema { get; } = JsonDocument.Parse(File.ReadAllText(SchemaFile)).RootElement;

    private static JsonElement Def(string name) => Schema.GetProperty("$defs").GetProperty(name);

    private static string[] Keys(JsonElement objectSchema) => [.. objectSchema.GetProperty("properties").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal)];

    private static string[] Strings(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetString()!).Order(StringComparer.Ordinal)];

    private static string[] Sorted(IEnumerable<string> names) => [.. names.Order(StringComparer.Ordinal)];

    public static IEnumerable<string> ShippedAdapters() => Directory.EnumerateFiles(Paths.Adapters, "*.json")
        .Where(f => !f.EndsWith(".schema.json", StringComparison.Ordinal) && !PresetReader.IsPresetFile(f))
        .Select(Path.GetFileName)
        .Order(StringComparer.Ordinal)!;

    [Test]
    public void Schema_IsDraft2020_12_WithCallsAsAdditionalProperties()
    {
        Assert.That(Schema.GetProperty("$schema").GetString(), Is.EqualTo("https://json-schema.org/draft/2020-12/schema"));
        Assert.That(Schema.GetProperty("additionalProperties").GetProperty("$ref").GetString(), Is.EqualTo("#/$defs/call"));
        Assert.That(Strings(Schema.GetProperty("required")), Is.EqualTo(new[] { "name" }));
    }

    [Test]
    public void CallKeys_AreExactlyTheLoadersCallKeys()
    {
        Assert.That(Keys(Def("call")), Is.EqualTo(Sorted(DefinitionReader.CallKeys)));
    }

    [Test]
    public void ItemKeys_AreExactlyTheLoadersItemKeys()
    {
        Assert.That(Keys(Def("parameterItem")), Is.EqualTo(Sorted(DefinitionReader.ParameterItemKeys)), "parameter items");
        Assert.That(Keys(Def("responseItem")), Is.EqualTo(Sorted(DefinitionReader.ResponseItemKeys)), "response items");
        Assert.That(Keys(Def("chunkFilter")), Is.EqualTo(Sorted(DefinitionReader.ChunkFilterKeys)), "chunk_filter");
        Assert.That(Keys(Def("toolCall")), Is.EqualTo(Sorted(DefinitionReader.ToolCallKeys)), "tool_call");
        var errorObject = Def("error").GetProperty("oneOf").EnumerateArray().Single(s => s.GetProperty("type").GetString() == "object");
        Assert.That(Keys(errorObject), Is.EqualTo(Sorted(DefinitionReader.ErrorKeys)), "error");
    }

    [Test]
    public void SignKeys_AreExactlyTheLoadersSignKeys()
    {
        Assert.That(Keys(Def("sign")), Is.EqualTo(Sorted(DefinitionReader.SignKeys)));
        Assert.That(Def("call").GetProperty("properties").GetProperty("sign").GetProperty("oneOf")[1].GetProperty("$ref").GetString(), Is.EqualTo("#/$defs/sign"));
    }

    [Test]
    public void AuthKeys_AreExactlyTheLoadersAuthKeys()
    {
        Assert.That(Keys(Def("auth")), Is.EqualTo(Sorted(DefinitionReader.AuthKeys)));
        Assert.That(Def("call").GetProperty("properties").GetProperty("auth").GetProperty("$ref").GetString(), Is.EqualTo("#/$defs/auth"));
    }

    [Test]
    public void DeclaredConverterKeys_AreExactlyTheLoadersConverterKeys()
    {
        Assert.That(Keys(Def("declaredConverter")), Is.EqualTo(Sorted(DefinitionReader.ConverterKeys)));
        Assert.That(Schema.GetProperty("properties").GetProperty(DefinitionReader.ConvertersKey).GetProperty("additionalProperties").GetProperty("$ref").GetString(), Is.EqualTo("#/$defs/declaredConverter"));
    }

    [Test]
    public void Enums_AreExactlyTheLoadersChoices()
    {
        var call = Def("call").GetProperty("properties");
        Assert.That(Strings(call.GetProperty("apitype").GetProperty("enum")), Is.EqualTo(Sorted(Enum.GetNames<LlmApiType>().Select(n => n.ToLowerInvariant()))), "apitype");
        Assert.That(Strings(call.GetProperty("stream_format").GetProperty("enum")), Is.EqualTo(Sorted(DefinitionReader.StreamFormats)), "stream_format");
        Assert.That(Strings(call.GetProperty("stream_mode").GetProperty("enum")), Is.EqualTo(Sorted(DefinitionReader.StreamModes)), "stream_mode");
        Assert.That(Strings(call.GetProperty("input_items").GetProperty("items").GetProperty("enum")), Is.EqualTo(Sorted(DefinitionReader.InputKinds)), "input_items");
        Assert.That(Strings(Def("chunkFilter").GetProperty("properties").GetProperty("op").GetProperty("enum")), Is.EqualTo(Sorted(ChunkFilter.OpNames)), "chunk_filter op");
    }

    [Test]
    public void ConverterExamples_AreExactlyTheBuiltInConverters()
    {
        Assert.That(Strings(Def("converter").GetProperty("examples")), Is.EqualTo(Sorted(ConverterRegistry.BuiltInOnly.Names)));
    }

    [TestCaseSource(nameof(ShippedAdapters))]
    public void ShippedAdapter_ValidatesAgainstTheSchema(string file)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(Paths.Adapters, file)), Lenient);
        Assert.That(document.RootElement.GetProperty("$schema").GetString(), Is.EqualTo("./llm-adapter.schema.json"), "each adapter names the schema, for editors");
        Assert.That(new MiniJsonSchema(Schema).Validate(document.RootElement), Is.Empty);
    }

    [Test]
    public void Schema_RejectsWhatTheLoaderRejects()
    {
        var validator = new MiniJsonSchema(Schema);
        static JsonElement Parse(string json) => JsonDocument.Parse(json).RootElement;
        Assert.That(validator.Validate(Parse("""{ "name": "x", "chat": { "path": "/x", "stream_fromat": "sse" } }""")), Has.Some.Contains("stream_fromat"), "unknown call key");
        Assert.That(validator.Validate(Parse("""{ "name": "x", "chat": { "path": "/x", "apitype": "poll" } }""")), Has.Some.Contains("apitype"), "unknown apitype");
        Assert.That(validator.Validate(Parse("""{ "name": "x", "chat": { "path": "/x", "data": [ { "name": "a", "value": 1, "conv": "int" } ] } }""")), Has.Some.Contains("conv"), "unknown item key");
        Assert.That(validator.Validate(Parse("""{ "name": "x", "chat": { "method": "GET" } }""")), Has.Some.Contains("\"path\" is required"), "missing path");
        Assert.That(validator.Validate(Parse("""{ "name": "x", "chat": { "path": "/x", "chunk_filter": { "name": "a", "op": "~=" } } }""")), Is.Not.Empty, "unknown op");
        Assert.That(validator.Validate(Parse("""{ "name": "x", "$comment": "ok", "chat": { "path": "/x", "$note": "ok" } }""")), Is.Empty, "'$' keys are metadata");
        Assert.That(validator.Validate(Parse("""{ "name": "x", "converters": { "t": { "fields": { "a": "b" }, "values": { "a": { "x": "y" } } } }, "chat": { "path": "/x" } }""")), Is.Empty, "a declared converter");
        Assert.That(validator.Validate(Parse("""{ "name": "x", "converters": { "t": { "feilds": { "a": "b" } } }, "chat": { "path": "/x" } }""")), Has.Some.Contains("feilds"), "unknown converter key");
        Assert.That(validator.Validate(Parse("""{ "name": "x", "converters": { "t": { "fields": { "a": 1 } } }, "chat": { "path": "/x" } }""")), Is.Not.Empty, "a key path is a string");
    }
}
