using LlmAdapters.Definitions;

namespace LlmAdapters.Tests.Definitions;

/// <summary>Presets files are read like definitions: every problem at once, each with file, line and JSON path.</summary>
public class PresetReaderTests
{
    private const string Adapter = """{ "name": "openai", "chat": { "path": "/chat/completions", "method": "POST", "apitype": "sync", "data": [ { "name": "model", "value": "${model}" } ] } }""";

    private static LlmDefinitionException Fails(string presets, string file = "my.presets.json")
        => Assert.Throws<LlmDefinitionException>(() => new LlmCatalogBuilder().AddJson(Adapter, "openai.json").AddJson(presets, file).Build())!;

    [TestCase("presets.json", true)]
    [TestCase("adapters/presets.json", true)]
    [TestCase("my.presets.json", true)]
    [TestCase("(built-in) presets.json", true)]
    [TestCase("openai.json", false)]
    [TestCase("mypresets.json", false)]
    public void IsPresetFile_ByName(string name, bool expected)
    {
        Assert.That(PresetReader.IsPresetFile(name), Is.EqualTo(expected));
    }

    [Test]
    public void EveryProblem_IsReported_WithLineAndPath()
    {
        var e = Fails("""
            {
              "presets": {
                "a": { "adaptor": "openai", "base_url": "https://a.example/v1" },
                "b": { "adapter": "openai", "base_url": "ftp://b.example" },
                "c": { "adapter": "openai", "variables": { "model": 4 } }
              },
              "defaults": {}
            }
            """);

        Assert.That(e.Problems.Select(p => (p.Line, p.JsonPath)), Is.EquivalentTo(new[]
        {
            (3, "$.presets.a.adaptor"),
            (3, "$.presets.a"),
            (4, "$.presets.b.base_url"),
            (5, "$.presets.c.variables.model"),
            (7, "$.defaults"),
        }), e.Message);
        Assert.That(e.Message, Does.Contain("unknown key \"adaptor\" in preset 'a'; did you mean 'adapter'?"));
        Assert.That(e.Message, Does.Contain("the preset 'a' has no \"adapter\""));
        Assert.That(e.Message, Does.Contain("my.presets.json"));
    }

    [Test]
    public void UnknownAdapter_IsReported_WithDidYouMean()
    {
        var e = Fails("""{ "presets": { "ds": { "adapter": "opneai", "base_url": "https://api.deepseek.com" } } }""");

        Assert.That(e.Problems.Single().JsonPath, Is.EqualTo("$.presets.ds"));
        Assert.That(e.Message, Does.Contain("the preset 'ds' runs on the adapter 'opneai', which is not loaded; did you mean 'openai'?"));
    }

    [Test]
    public void PresetHidingAnotherAdapter_IsReported()
    {
        var e = Assert.Throws<LlmDefinitionException>(() => new LlmCatalogBuilder()
            .AddJson(Adapter, "openai.json")
            .AddJson(Adapter.Replace("\"openai\"", "\"other\"", StringComparison.Ordinal), "other.json")
            .AddJson("""{ "presets": { "other": { "adapter": "openai", "base_url": "https://x.example" } } }""", "my.presets.json")
            .Build())!;

        Assert.That(e.Message, Does.Contain("the preset 'other' would hide the adapter 'other'"));
    }

    [Test]
    public void TwoUserPresetsOfOneName_AreReported()
    {
        var e = Assert.Throws<LlmDefinitionException>(() => new LlmCatalogBuilder()
            .AddJson(Adapter, "openai.json")
            .AddJson("""{ "presets": { "ds": { "adapter": "openai" } } }""", "a.presets.json")
            .AddJson("""{ "presets": { "ds": { "adapter": "openai" } } }""", "b.presets.json")
            .Build())!;

        Assert.That(e.Message, Does.Contain("the preset 'ds' is also defined in a.presets.json"));
    }

    [Test]
    public void NotJson_IsReported_WithLine()
    {
        var e = Fails("{\n  \"presets\": {\n    \"a\": { \"adapter\": }\n  }\n}");
        Assert.That(e.Problems.Single().Line, Is.EqualTo(3));
    }

    [Test]
    public void SkipInvalidFiles_LeavesOutOnlyTheBrokenPreset()
    {
        var catalog = new LlmCatalogBuilder()
            .AddJson(Adapter, "openai.json")
            .AddJson("""{ "presets": { "good": { "adapter": "openai", "base_url": "https://g.example/v1" }, "bad": { "adapter": "nope" } } }""", "my.presets.json")
            .SkipInvalidFiles()
            .Build();

        Assert.That(catalog.Presets.Select(p => p.Name), Is.EqualTo(new[] { "good" }));
        Assert.That(catalog.Problems.Single().Message, Does.Contain("'nope'"));
    }
}
