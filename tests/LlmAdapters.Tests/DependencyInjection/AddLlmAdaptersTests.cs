using System.Net;
using LlmAdapters.Tests.TestSupport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace LlmAdapters.Tests.DependencyInjection;

public class AddLlmAdaptersTests
{
    // "chat" streams (Server-Sent Events); CallAsync joins the pieces.
    private static readonly string ChatAnswer = StreamResponses.OpenAi(["来自", "DI"]);

    [Test]
    public async Task FromConfiguration_CreatesClientForProfile_ThroughNamedHttpClient()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["LlmAdapters:AdapterPaths:0"] = Paths.Adapters,
            ["LlmAdapters:Profiles:kimi:Adapter"] = "openai",
            ["LlmAdapters:Profiles:kimi:BaseUrl"] = "https://api.moonshot.cn/v1",
            ["LlmAdapters:Profiles:kimi:Variables:apikey"] = "sk-kimi",
            ["LlmAdapters:Profiles:kimi:Variables:model"] = "moonshot-v1-8k",
        }).Build();
        var handler = StreamResponses.Body(ChatAnswer);
        var services = new ServiceCollection();
        services.AddLlmAdapters(configuration.GetSection("LlmAdapters"))
            .AddHttpClient("kimi").ConfigurePrimaryHttpMessageHandler(() => handler.Mock);
        using var provider = services.BuildServiceProvider();

        var client = provider.GetRequiredService<ILlmClientFactory>().CreateClient("kimi");
        var response = await client.CallAsync(new LlmRequest { Messages = [new("user", "你好")], MaxTokens = 256 });

        Assert.That(response.Text, Is.EqualTo("来自DI"));
        Assert.That(handler.Last.Url.AbsoluteUri, Is.EqualTo("https://api.moonshot.cn/v1/chat/completions"));
        Assert.That(handler.Last.Headers["Authorization"], Is.EqualTo("Bearer sk-kimi"));
    }

    [Test]
    public async Task WithoutAdapterPaths_UsesBuiltInAdapters_AndCodeProfiles()
    {
        var handler = StreamResponses.Body(ChatAnswer);
        var services = new ServiceCollection();
        services.AddLlmAdapters()
            .AddProfile("deepseek", p =>
            {
                p.Adapter = "openai";
                p.BaseUrl = "https://api.deepseek.com";
                p.Variables["apikey"] = "sk-ds";
                p.Variables["model"] = "deepseek-chat";
            })
            .AddHttpClient("deepseek").ConfigurePrimaryHttpMessageHandler(() => handler.Mock);
        using var provider = services.BuildServiceProvider();

        var response = await provider.GetRequiredService<ILlmClientFactory>().CreateClient("deepseek").CallAsync(new LlmRequest { Prompt = "hi" });
        Assert.That(response.Text, Is.EqualTo("来自DI"));
        Assert.That(handler.Last.Url.AbsoluteUri, Is.EqualTo("https://api.deepseek.com/chat/completions"));
    }

    [Test]
    public async Task ProfileNamingAPreset_NeedsOnlyAKey()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["LlmAdapters:Profiles:fast:Adapter"] = "groq",
            ["LlmAdapters:Profiles:fast:Variables:apikey"] = "gsk-fake",
        }).Build();
        var handler = StreamResponses.Body(ChatAnswer);
        var services = new ServiceCollection();
        services.AddLlmAdapters(configuration.GetSection("LlmAdapters"))
            .AddHttpClient("fast").ConfigurePrimaryHttpMessageHandler(() => handler.Mock);
        using var provider = services.BuildServiceProvider();

        _ = provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<LlmAdaptersOptions>>().Value; // validated: no BaseUrl or model needed
        var response = await provider.GetRequiredService<ILlmClientFactory>().CreateClient("fast").CallAsync(new LlmRequest { Prompt = "hi" });

        Assert.That(response.Text, Is.EqualTo("来自DI"));
        Assert.That(handler.Last.Url.AbsoluteUri, Is.EqualTo("https://api.groq.com/openai/v1/chat/completions"));
        Assert.That(handler.Last.Headers["Authorization"], Is.EqualTo("Bearer gsk-fake"));
        Assert.That(handler.Last.Body, Does.Contain("\"model\":\"llama-3.3-70b-versatile\""));
    }

    [Test]
    public void UnknownPreset_IsReportedAtStart_WithDidYouMean()
    {
        var services = new ServiceCollection();
        services.AddLlmAdapters(o => o.Profiles["p"] = new LlmProfile { Adapter = "groqq", Variables = { ["apikey"] = "k" } });
        using var provider = services.BuildServiceProvider();

        var e = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => _ = provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<LlmAdaptersOptions>>().Value)!;
        Assert.That(e.Message, Does.Contain("Profile 'p' names the adapter 'groqq', which is neither a loaded adapter nor a preset; did you mean 'groq'?"));
    }

    [Test]
    public async Task UsageMonitor_CountsCallsMadeBeforeItIsFirstResolved()
    {
        var handler = StreamResponses.Body(ChatAnswer);
        var services = new ServiceCollection();
        services.AddLlmAdapters()
            .AddProfile("early", p =>
            {
                p.Adapter = "openai";
                p.BaseUrl = "https://api.deepseek.com";
                p.Variables["apikey"] = "sk-ds";
                p.Variables["model"] = "deepseek-chat";
            })
            .AddHttpClient("early").ConfigurePrimaryHttpMessageHandler(() => handler.Mock);
        using var provider = services.BuildServiceProvider();

        await provider.GetRequiredService<ILlmClientFactory>().CreateClient("early").CallAsync(new LlmRequest { Prompt = "hi" });
        var monitor = provider.GetRequiredService<LlmUsageMonitor>();

        Assert.That(monitor.Snapshot().Profiles.Single(p => p.Profile == "early").Requests, Is.EqualTo(1));
    }

    [Test]
    public void MissingAdapterPath_NamesEveryPlaceLookedIn()
    {
        const string Folder = "no-such-adapters-folder";

        var error = Assert.Throws<LlmDefinitionException>(() => new LlmCatalogBuilder().AddDirectory(Folder).Build());

        Assert.That(error!.Message, Does.Contain(Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, Folder))).And.Contain("the application's base directory"));
        Assert.That(error.Message, Does.Contain(Path.GetFullPath(Folder)).And.Contain("the current directory"));
    }

    [Test]
    public async Task ActionOverload_AndUserConverter()
    {
        var handler = RecordingHandler.Json("""{"echo":"ok"}""");
        var dir = Directory.CreateTempSubdirectory("llm-adapters-");
        try
        {
            await File.WriteAllTextAsync(Path.Combine(dir.FullName, "shout.json"), """
                { "name": "shout", "chat": { "path": "/s", "data": [ { "name": "p", "value": "${prompt}", "converter": "upper" } ], "resp": [ { "name": "text", "value": "echo" } ] } }
                """);
            var services = new ServiceCollection();
            services.AddLlmAdapters(o =>
                {
                    o.AdapterPaths.Add(dir.FullName);
                    o.Profiles["s"] = new LlmProfile { Adapter = "shout", BaseUrl = "http://127.0.0.1:9" };
                })
                .AddConverter(LlmConverter.Create("upper", (string s) => s.ToUpperInvariant()))
                .AddHttpClient("s").ConfigurePrimaryHttpMessageHandler(() => handler.Mock);
            using var provider = services.BuildServiceProvider();

            await provider.GetRequiredService<ILlmClientFactory>().CreateClient("s").CallAsync(new LlmRequest { Prompt = "quiet" });
            Json.AssertEqual("""{"p":"QUIET"}""", handler.Last.Body!);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Test]
    public async Task KeyedEmbeddingGenerator_RunsTheProfilesEmbeddingsCall()
    {
        var handler = RecordingHandler.Json("""{"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.25,-0.5]}],"model":"text-embedding-3-small","usage":{"prompt_tokens":1,"total_tokens":1}}""");
        var services = new ServiceCollection();
        services.AddLlmAdapters(o => o.Profiles["openai-embed"] = new LlmProfile { Adapter = "openai", BaseUrl = "https://api.openai.com/v1", Variables = { ["apikey"] = "sk-embed", ["model"] = "text-embedding-3-small" } })
            .AddHttpClient("openai-embed").ConfigurePrimaryHttpMessageHandler(() => handler.Mock);
        using var provider = services.BuildServiceProvider();

        var generator = provider.GetRequiredKeyedService<Microsoft.Extensions.AI.IEmbeddingGenerator<string, Microsoft.Extensions.AI.Embedding<float>>>("openai-embed");
        var embeddings = await generator.GenerateAsync(["hello"]);

        Assert.That(embeddings.Single().Vector.ToArray(), Is.EqualTo(new[] { 0.25f, -0.5f }));
        Assert.That(handler.Last.Url.AbsoluteUri, Is.EqualTo("https://api.openai.com/v1/embeddings"));
        Assert.That(handler.Last.Headers["Authorization"], Is.EqualTo("Bearer sk-embed"));
        Assert.That(provider.GetKeyedService<Microsoft.Extensions.AI.IChatClient>("openai-embed"), Is.Not.Null, "the keyed IChatClient stays registered beside it");
    }

    [Test]
    public void UnknownProfile_ListsConfiguredProfiles()
    {
        var services = new ServiceCollection();
        services.AddLlmAdapters(o => o.Profiles["kimi"] = new LlmProfile { Adapter = "openai", BaseUrl = "https://api.moonshot.cn/v1", Variables = { ["apikey"] = "k" } });
        using var provider = services.BuildServiceProvider();
        var e = Assert.Throws<LlmConfigurationException>(() => provider.GetRequiredService<ILlmClientFactory>().CreateClient("kiwi"))!;
        Assert.That(e.Message, Does.Contain("did you mean 'kimi'").And.Contain("Configured profiles: kimi"));
    }

    [Test]
    public async Task ChangedConfiguration_IsUsedByTheNextClient()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Profiles:p:Adapter"] = "openai",
            ["Profiles:p:BaseUrl"] = "https://a.example",
            ["Profiles:p:Variables:apikey"] = "old-key",
            ["Profiles:p:Variables:model"] = "m",
        }).Build();
        var handler = StreamResponses.Body(ChatAnswer);
        var services = new ServiceCollection();
        services.AddLlmAdapters(configuration).AddHttpClient("p").ConfigurePrimaryHttpMessageHandler(() => handler.Mock);
        using var provider = services.BuildServiceProvider();
        var factory = provider.GetRequiredService<ILlmClientFactory>();

        await factory.CreateClient("p").CallAsync(new LlmRequest { Prompt = "1" });
        configuration["Profiles:p:Variables:apikey"] = "new-key";
        configuration.Reload();
        await factory.CreateClient("p").CallAsync(new LlmRequest { Prompt = "2" });

        Assert.That(handler.Requests.Select(r => r.Headers["Authorization"]), Is.EqualTo(new[] { "Bearer old-key", "Bearer new-key" }));
    }

    [Test]
    public async Task ApiKeys_ComeFromEnvironmentVariables_WithNoSpecialCode()
    {
        var name = "envtest" + Guid.NewGuid().ToString("N")[..8];
        Environment.SetEnvironmentVariable($"LlmAdapters__Profiles__{name}__Variables__apikey", "sk-from-env");
        try
        {
            var configuration = new ConfigurationBuilder()
                .AddInMemoryCollection(new Dictionary<string, string?>
                {
                    [$"LlmAdapters:Profiles:{name}:Adapter"] = "openai",
                    [$"LlmAdapters:Profiles:{name}:BaseUrl"] = "https://api.example.com/v1",
                    [$"LlmAdapters:Profiles:{name}:Variables:model"] = "m",
                })
                .AddEnvironmentVariables()
                .Build();
            var handler = StreamResponses.Body(ChatAnswer);
            var services = new ServiceCollection();
            services.AddLlmAdapters(configuration.GetSection("LlmAdapters")).AddHttpClient(name).ConfigurePrimaryHttpMessageHandler(() => handler.Mock);
            await using var provider = services.BuildServiceProvider();

            await provider.GetRequiredService<ILlmClientFactory>().CreateClient(name).CallAsync(new LlmRequest { Prompt = "hi" });
            Assert.That(handler.Last.Headers["Authorization"], Is.EqualTo("Bearer sk-from-env"));
        }
        finally
        {
            Environment.SetEnvironmentVariable($"LlmAdapters__Profiles__{name}__Variables__apikey", null);
        }
    }

    [Test]
    public void InvalidProfiles_AreReportedTogether_AtStart()
    {
        var services = new ServiceCollection();
        services.AddLlmAdapters(o =>
        {
            o.Profiles["a"] = new LlmProfile { Adapter = "opneai", BaseUrl = "https://x" };
            o.Profiles["b"] = new LlmProfile { Adapter = "azure-openai", Variables = { ["model"] = "m" } };
            o.Profiles["c"] = new LlmProfile { Adapter = "minimax", BaseUrl = "ftp://nope", Variables = { ["apikey"] = "k" }, Fallbacks = ["zz"] };
            o.Profiles["ok"] = new LlmProfile { Adapter = "openai", BaseUrl = "https://api.openai.com/v1", Variables = { ["apikey"] = "k" } };
        });
        using var provider = services.BuildServiceProvider();
        var e = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => _ = provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<LlmAdaptersOptions>>().Value)!;
        Assert.That(e.Failures.Count(), Is.EqualTo(5), e.Message);
        Assert.That(e.Message, Does.Contain("Profile 'a' names the adapter 'opneai', which is neither a loaded adapter nor a preset; did you mean 'openai'?"));
        Assert.That(e.Message, Does.Contain("Profile 'b' has no BaseUrl"), "the azure-openai preset has no base URL: each customer has a resource of their own");
        Assert.That(e.Message, Does.Contain("Profile 'b' lacks the variables").And.Contain("'apikey'").And.Contain("'deployment'").And.Contain("adapter 'azure-openai' needs for its 'chat' call"));
        Assert.That(e.Message, Does.Contain("Profile 'c' has the BaseUrl 'ftp://nope', which is not an absolute http(s) URL"));
        Assert.That(e.Message, Does.Contain("Profile 'c' falls back to 'zz', which is not a configured profile"));
        Assert.That(e.Message, Does.Not.Contain("Profile 'ok'"));
    }

    [Test]
    public void BadDefinitionFolder_FailsWithDefinitionError()
    {
        var services = new ServiceCollection();
        services.AddLlmAdapters(o =>
        {
            o.AdapterPaths.Add("no/such/dir");
            o.Profiles["x"] = new LlmProfile { Adapter = "openai" };
        });
        using var provider = services.BuildServiceProvider();
        Assert.That(() => provider.GetRequiredService<ILlmClientFactory>().CreateClient("x"), Throws.TypeOf<Microsoft.Extensions.Options.OptionsValidationException>().With.Message.Contains("folder does not exist"));
    }
}
