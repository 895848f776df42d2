using LlmAdapters.Tests.TestSupport;

namespace LlmAdapters.Tests.Definitions;

public class CatalogLoadingTests
{
    [Test]
    public void FromDirectory_LoadsEveryShippedAdapter()
    {
        var catalog = LlmCatalog.FromDirectory(Paths.Adapters);
        Assert.That(catalog.Adapters, Is.SupersetOf(new[] { "openai", "minimax" }));
        Assert.That(catalog.GetCalls("openai"), Is.SupersetOf(new[] { "chat", "models" }));
    }

    [Test]
    public async Task AValidFile_StillNamesItsLines_WhenAsked()
    {
        // Lines are looked up only when a message or a description asks for them; they must still be the right ones.
        const string Definition = "{\n  \"name\": \"lines\",\n\n  \"chat\": {\n    \"path\": \"/chat\",\n    \"headers\": [ { \"name\": \"Authorization\", \"value\": \"Bearer ${apikey}\" } ]\n  }\n}";
        var catalog = LlmCatalog.FromJson(Definition, "lines.json");
        Assert.That(catalog.Describe("lines").Single().Source, Is.EqualTo("lines.json, line 4"));

        var client = catalog.CreateClient(new LlmProfile { Adapter = "lines", BaseUrl = "https://vendor.test" }, RecordingHandler.Json("{}").Mock);
        var error = Assert.ThrowsAsync<LlmRequestException>(async () => await client.CallAsync(new LlmRequest()));
        Assert.That(error!.Message, Does.Contain("'apikey'").And.Contain("lines.json, line 6"));
        Assert.That(error.MissingVariable, Is.EqualTo("apikey"));
    }

    [Test]
    public void FromFile_LoadsOneAdapter()
    {
        var catalog = LlmCatalog.FromFile(Path.Combine(Paths.Adapters, "openai.json"));
        Assert.That(catalog.Adapters, Is.EquivalentTo(new[] { "openai" }));
    }

    [Test]
    public void FromEmbeddedResource_LoadsAnAdapter()
    {
        var catalog = LlmCatalog.FromEmbeddedResource(typeof(CatalogLoadingTests).Assembly, "Tests.embedded-adapter.json");
        Assert.That(catalog.GetCalls("embedded"), Is.EquivalentTo(new[] { "echo" }));
    }

    [Test]
    public void MissingResource_NamesTheResourcesThatExist()
    {
        var e = Assert.Throws<LlmDefinitionException>(() => LlmCatalog.FromEmbeddedResource(typeof(CatalogLoadingTests).Assembly, "Tests.embeded-adapter.json"))!;
        Assert.That(e.Message, Does.Contain("did you mean 'Tests.embedded-adapter.json'"));
    }

    [Test]
    public void MissingFolderOrFile_IsADefinitionError()
    {
        Assert.That(Assert.Throws<LlmDefinitionException>(() => LlmCatalog.FromDirectory("no/such/folder"))!.Message, Does.Contain("folder does not exist"));
        Assert.That(Assert.Throws<LlmDefinitionException>(() => LlmCatalog.FromFile("no/such.json"))!.Message, Does.Contain("file does not exist"));
    }

    [Test]
    public void BuiltIn_HoldsTheShippedAdapters()
    {
        Assert.That(LlmCatalog.BuiltIn.Adapters, Is.SupersetOf(new[] { "openai", "minimax" }));
        var onDisk = Directory.GetFiles(Paths.Adapters, "*.json").Count(f => !f.EndsWith(".schema.json", StringComparison.Ordinal) && !LlmAdapters.Definitions.PresetReader.IsPresetFile(f));
        Assert.That(LlmCatalog.BuiltIn.Adapters, Has.Count.EqualTo(onDisk));
    }

    [Test]
    public void UserFile_ReplacesBuiltInOfSameName()
    {
        var catalog = new LlmCatalogBuilder()
            .AddBuiltInAdapters()
            .AddJson("""{ "name": "openai", "only": { "path": "/only" } }""", "my-openai.json")
            .Build();
        Assert.That(catalog.GetCalls("openai"), Is.EquivalentTo(new[] { "only" }));
    }

    [Test]
    public void TwoUserFilesWithSameName_AreAnError()
    {
        var e = Assert.Throws<LlmDefinitionException>(() => new LlmCatalogBuilder()
            .AddJson("""{ "name": "x", "a": { "path": "/a" } }""", "one.json")
            .AddJson("""{ "name": "x", "b": { "path": "/b" } }""", "two.json")
            .Build())!;
        Assert.That(e.Message, Does.Contain("two.json").And.Contain("also defined in one.json"));
    }

    [Test]
    public void SkipInvalidFiles_LoadsTheRest_AndReportsTheBrokenOne()
    {
        var dir = Directory.CreateTempSubdirectory("llm-adapters-skip-");
        try
        {
            File.WriteAllText(Path.Combine(dir.FullName, "good.json"), """{ "name": "good", "chat": { "path": "/c" } }""");
            File.WriteAllText(Path.Combine(dir.FullName, "broken.json"), """{ "name": "broken", "chat": { "path": "/c", "apitype": "nope" } }""");
            Assert.Throws<LlmDefinitionException>(() => new LlmCatalogBuilder().AddDirectory(dir.FullName).Build(), "strict by default");

            var catalog = new LlmCatalogBuilder().AddDirectory(dir.FullName).SkipInvalidFiles().Build();
            Assert.That(catalog.Adapters, Is.EquivalentTo(new[] { "good" }));
            Assert.That(catalog.Problems.Single().File, Does.EndWith("broken.json"));
            Assert.That(catalog.Problems.Single().Message, Does.Contain("apitype 'nope'"));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Test]
    public void Describe_ListsCallsWithVariablesAndInputs()
    {
        var calls = LlmCatalog.BuiltIn.Describe("dashscope").ToDictionary(c => c.Name);
        var image = calls["image"];
        Assert.That(image.ApiType, Is.EqualTo(LlmApiType.Async));
        Assert.That(image.RequiredVariables, Is.EquivalentTo(new[] { "apikey", "prompt" }), "model and size have defaults; queryid comes from the submit");
        Assert.That(image.Variables, Is.SupersetOf(new[] { "apikey", "prompt", "model", "size", "queryid" }));
        Assert.That(image.Inputs, Is.EqualTo(new[] { "prompt" }));
        Assert.That(image.Source, Does.Contain("dashscope.json, line"));
        Assert.That(LlmCatalog.BuiltIn.Describe("openai").Single(c => c.Name == "chat").Inputs, Is.EqualTo(new[] { "prompt", "image", "tools", "tool_choice", "response_format" }));
        Assert.That(LlmCatalog.BuiltIn.Describe("anthropic").Single(c => c.Name == "chat").Inputs, Is.EqualTo(new[] { "prompt", "image", "tools", "tool_choice" }), "Anthropic has no JSON mode: no response_format");
    }

    [Test]
    public void UnknownAdapterInProfile_SaysWhichExist()
    {
        var e = Assert.Throws<LlmConfigurationException>(() => LlmCatalog.BuiltIn.CreateClient(new LlmProfile { Adapter = "opneai" }, new HttpClient()))!;
        Assert.That(e.Message, Does.Contain("did you mean 'openai'").And.Contain("Loaded adapters:"));
    }
}
