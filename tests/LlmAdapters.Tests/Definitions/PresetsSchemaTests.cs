using System.Text.Json;
using LlmAdapters.Definitions;
using LlmAdapters.Tests.TestSupport;

namespace LlmAdapters.Tests.Definitions;

/// <summary>Keeps adapters/llm-presets.schema.json, the presets reader and the shipped adapters/presets.json in step.</summary>
public class PresetsSchemaTests
{
    private static readonly JsonDocumentOptions Lenient = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    private static JsonElement Schema { get; } = JsonDocument.Parse(File.ReadAllText(Path.Combine(Paths.Adapters, "llm-presets.schema.json"))).RootElement;

    [Test]
    public void PresetKeys_AreExactlyTheReadersKeys()
    {
        var keys = Schema.GetProperty("$defs").GetProperty("preset").GetProperty("properties").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal);
        Assert.That(keys, Is.EqualTo(PresetReader.PresetKeys.Order(StringComparer.Ordinal)));
        Assert.That(Schema.GetProperty("properties").EnumerateObject().Select(p => p.Name), Is.EqualTo(new[] { PresetReader.PresetsKey }));
    }

    [Test]
    public void ShippedPresets_ValidateAgainstTheSchema()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(Paths.Adapters, "presets.json")), Lenient);
        Assert.That(document.RootElement.GetProperty("$schema").GetString(), Is.EqualTo("./llm-presets.schema.json"));
        Assert.That(new MiniJsonSchema(Schema).Validate(document.RootElement), Is.Empty);
    }

    [Test]
    public void Schema_RejectsWhatTheReaderRejects()
    {
        var validator = new MiniJsonSchema(Schema);
        static JsonElement Parse(string json) => JsonDocument.Parse(json).RootElement;
        Assert.That(validator.Validate(Parse("""{ "presets": { "a": { "adaptor": "openai" } } }""")), Is.Not.Empty, "unknown key, no adapter");
        Assert.That(validator.Validate(Parse("""{ "presets": { "a": { "adapter": "openai", "variables": { "model": 1 } } } }""")), Is.Not.Empty, "a variable is a string");
        Assert.That(validator.Validate(Parse("""{ "presetz": {} }""")), Is.Not.Empty, "unknown top-level key");
        Assert.That(validator.Validate(Parse("""{ "$comment": "x", "presets": { "a": { "$comment": "y", "adapter": "openai" } } }""")), Is.Empty, "'$' keys are metadata");
    }
}
