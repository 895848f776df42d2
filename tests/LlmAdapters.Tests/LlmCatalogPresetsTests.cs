using System.Text.Json;
using LlmAdapters.Tests.TestSupport;

namespace LlmAdapters.Tests;

/// <summary>Presets: a profile names a host and gives a key; the preset supplies the adapter, base URL and defaults.</summary>
public class LlmCatalogPresetsTests
{
    private static string OpenAiSync(string text) => $$"""{ "id": "x", "model": "m", "choices": [ { "index": 0, "message": { "role": "assistant", "content": "{{text}}" }, "finish_reason": "stop" } ] }""";

    [Test]
    public void BuiltIn_HasTheNamedHosts_EachOnALoadedAdapter()
    {
        var catalog = LlmCatalog.BuiltIn;
        Assert.That(catalog.Presets.Select(p => p.Name), Is.SupersetOf(new[]
        {
            "openai", "azure-openai", "anthropic", "gemini", "mistral", "groq", "xai", "deepseek", "moonshot", "qwen", "dashscope",
            "minimax", "doubao", "siliconflow", "openrouter", "together", "fireworks", "perplexity", "cohere", "ollama", "vllm",
            "llamacpp", "lmstudio", "tgi", "replicate", "espai",
        }));
        Assert.That(catalog.Presets.Count, Is.GreaterThanOrEqualTo(25));
        Assert.That(catalog.Presets.Select(p => p.Adapter), Is.All.Matches<string>(catalog.Contains));
        Assert.That(catalog.Presets.Select(p => p.Name), Is.Ordered.Using((IComparer<string>)StringComparer.Ordinal));
    }

    [Test]
    public async Task ProfileWithOnlyAPresetAndAKey_CallsTheHostWithItsDefaultModel()
    {
        var handler = RecordingHandler.Json(OpenAiSync("你好"));
        var profile = new LlmProfile { Adapter = "deepseek", Variables = { ["apikey"] = "sk-ds" } };

        var response = await LlmCatalog.BuiltIn.CreateClient(profile, handler.Mock).CallAsync(new LlmRequest { Call = "chat_sync", Prompt = "hi" });

        Assert.That(response.Text, Is.EqualTo("你好"));
        Assert.That(handler.Last.Url.AbsoluteUri, Is.EqualTo("https://api.deepseek.com/chat/completions"));
        Assert.That(handler.Last.Headers["Authorization"], Is.EqualTo("Bearer sk-ds"));
        Assert.That(JsonDocument.Parse(handler.Last.Body!).RootElement.GetProperty("model").GetString(), Is.EqualTo("deepseek-chat"));
    }

    [Test]
    public async Task ProfileValues_WinOverThePresets()
    {
        var handler = RecordingHandler.Json(OpenAiSync("ok"));
        var profile = new LlmProfile { Adapter = "deepseek", BaseUrl = "https://proxy.example/ds", Variables = { ["apikey"] = "sk-ds", ["model"] = "deepseek-reasoner" } };

        await LlmCatalog.BuiltIn.CreateClient(profile, handler.Mock).CallAsync(new LlmRequest { Call = "chat_sync", Prompt = "hi" });

        Assert.That(handler.Last.Url.AbsoluteUri, Is.EqualTo("https://proxy.example/ds/chat/completions"));
        Assert.That(JsonDocument.Parse(handler.Last.Body!).RootElement.GetProperty("model").GetString(), Is.EqualTo("deepseek-reasoner"));
    }

    [Test]
    public void ResolveProfile_OverlaysTheProfileOnThePreset_AndLeavesTheProfileAlone()
    {
        var profile = new LlmProfile { Adapter = "tgi", Variables = { ["model"] = "my-model", ["apikey"] = null } };

        var resolved = LlmCatalog.BuiltIn.ResolveProfile(profile);

        Assert.That(resolved.Adapter, Is.EqualTo("openai"));
        Assert.That(resolved.BaseUrl, Is.EqualTo("http://localhost:8080/v1"));
        Assert.That(resolved.Variables["model"], Is.EqualTo("my-model"));
        Assert.That(resolved.Variables["apikey"], Is.Null, "a profile variable set to null removes the preset's default");
        Assert.That(profile.Adapter, Is.EqualTo("tgi"));
        Assert.That(profile.BaseUrl, Is.Null);
    }

    [Test]
    public void ResolvingAgain_ChangesNothing_EvenThroughAPresetNamedLikeTheAdapter()
    {
        var once = LlmCatalog.BuiltIn.ResolveProfile(new LlmProfile { Adapter = "doubao", Variables = { ["apikey"] = "k" } });
        var twice = LlmCatalog.BuiltIn.ResolveProfile(once);

        Assert.That(once.Adapter, Is.EqualTo("openai"));
        Assert.That(twice.Variables.ContainsKey("model"), Is.False, "the openai preset's default model must not reach a doubao profile");
        Assert.That(twice.BaseUrl, Is.EqualTo("https://ark.cn-beijing.volces.com/api/v3"));
        Assert.That(LlmCatalog.BuiltIn.ResolveProfile(new LlmProfile { Adapter = "openai" }).Variables["model"], Is.EqualTo("gpt-4o-mini"));
    }

    [Test]
    public void PresetsOfAdaptersWithCallsOfTheirOwnModels_SetNoModel()
    {
        // dashscope's image call defaults to wanx-v1 and minimax's video to video-01: a preset model would replace them.
        Assert.That(LlmCatalog.BuiltIn.Presets.Single(p => p.Name == "dashscope").Variables, Does.Not.ContainKey("model"));
        Assert.That(LlmCatalog.BuiltIn.Presets.Single(p => p.Name == "minimax").Variables, Does.Not.ContainKey("model"));
    }

    [Test]
    public void LocalServerPresets_NeedNoKey()
    {
        foreach (var name in new[] { "vllm", "llamacpp", "lmstudio", "tgi" })
        {
            var resolved = LlmCatalog.BuiltIn.ResolveProfile(new LlmProfile { Adapter = name });
            Assert.That(resolved.Variables, Does.ContainKey("apikey"), name);
            Assert.That(new Uri(resolved.BaseUrl!).IsLoopback, Is.True, name);
        }
    }

    [Test]
    public void UnknownName_SaysDidYouMean_AndListsPresets()
    {
        var e = Assert.Throws<LlmConfigurationException>(() => LlmCatalog.BuiltIn.CreateClient(new LlmProfile { Adapter = "deepsek" }, new HttpClient()))!;

        Assert.That(e.Message, Does.Contain("No adapter or preset is named 'deepsek'").And.Contain("did you mean 'deepseek'?").And.Contain("presets: ").And.Contain("groq"));
    }

    [Test]
    public void CallsOfAPreset_AreItsAdapters()
    {
        Assert.That(LlmCatalog.BuiltIn.GetCalls("groq"), Is.EquivalentTo(LlmCatalog.BuiltIn.GetCalls("openai")));
        Assert.That(LlmCatalog.BuiltIn.GetApiType("groq", "chat"), Is.EqualTo(LlmApiType.Stream));
    }

    [Test]
    public async Task UserPreset_ReplacesTheShippedOne_OfTheSameName()
    {
        var handler = RecordingHandler.Json(OpenAiSync("ok"));
        var catalog = new LlmCatalogBuilder()
            .AddBuiltInAdapters()
            .AddJson("""{ "presets": { "deepseek": { "adapter": "openai", "base_url": "https://gateway.example/deepseek/v1", "variables": { "model": "ds-v9" } } } }""", "mine.presets.json")
            .Build();

        await catalog.CreateClient(new LlmProfile { Adapter = "deepseek", Variables = { ["apikey"] = "k" } }, handler.Mock).CallAsync(new LlmRequest { Call = "chat_sync", Prompt = "hi" });

        Assert.That(handler.Last.Url.AbsoluteUri, Is.EqualTo("https://gateway.example/deepseek/v1/chat/completions"));
        Assert.That(catalog.Presets.Single(p => p.Name == "deepseek").Source, Does.StartWith("mine.presets.json"));
    }

    [Test]
    public void PresetsFileInAFolder_IsReadAsPresets()
    {
        var folder = Directory.CreateTempSubdirectory("llm-presets-");
        try
        {
            File.Copy(Path.Combine(Paths.Adapters, "openai.json"), Path.Combine(folder.FullName, "openai.json"));
            File.WriteAllText(Path.Combine(folder.FullName, "team.presets.json"), """{ "presets": { "gw": { "adapter": "openai", "base_url": "https://gw.example/v1" } } }""");

            var catalog = LlmCatalog.FromDirectory(folder.FullName);

            Assert.That(catalog.Adapters, Is.EqualTo(new[] { "openai" }));
            Assert.That(catalog.Presets.Single().Source, Does.Contain("team.presets.json, line 1"));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
