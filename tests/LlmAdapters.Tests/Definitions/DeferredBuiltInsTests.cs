using System.Text.Json;
using LlmAdapters.Definitions;
using LlmAdapters.Tests.TestSupport;

namespace LlmAdapters.Tests.Definitions;

/// <summary>
/// The shipped adapters are read and compiled on their first use, and the shipped presets read on theirs, so that a load pays only for the adapters an
/// application uses; every file a user adds is still checked at load, and nothing a user adds can make a deferred file
/// fail later.
/// </summary>
public class DeferredBuiltInsTests
{
    private static readonly string[] ShippedAdapterResources = [.. DefinitionSource.BuiltIns.ResourceNames().Where(r => !PresetReader.IsPresetFile(r))];

    [Test]
    public void EveryShippedFile_DefinesTheAdapterItsFileNames_AndCompilesWithoutAProblem()
    {
        // What lets the catalog know a shipped adapter by name without reading it, and rules out a deferred failure.
        Assert.That(ShippedAdapterResources, Has.Length.EqualTo(13));
        foreach (var resource in ShippedAdapterResources)
        {
            var catalog = new LlmCatalogBuilder().AddEmbeddedResource(typeof(LlmCatalog).Assembly, resource).Build();
            Assert.That(catalog.Adapters, Is.EqualTo(new[] { DefinitionSource.BuiltIns.AdapterName(resource) }), resource);
            Assert.That(catalog.Problems, Is.Empty, resource);
        }
    }

    [Test]
    public void ShippedAdapters_AreCompiledOnTheirFirstUse_AndOnlyThen()
    {
        var catalog = new LlmCatalogBuilder().AddBuiltInAdapters().Build();
        Assert.That(catalog.Adapters, Is.EquivalentTo(ShippedAdapterResources.Select(DefinitionSource.BuiltIns.AdapterName)));
        Assert.That(Compiled(catalog), Is.Empty);

        // A profile on a preset (deepseek runs on openai) compiles the preset's adapter, and nothing else.
        using var http = new HttpClient();
        _ = catalog.CreateClient(new LlmProfile { Adapter = "deepseek" }, http);
        Assert.That(Compiled(catalog), Is.EqualTo(new[] { "openai" }));

        Assert.That(catalog.Describe("gemini"), Is.Not.Empty);
        Assert.That(catalog.GetApiType("anthropic", "chat"), Is.EqualTo(LlmApiType.Stream));
        Assert.That(Compiled(catalog), Is.EqualTo(new[] { "anthropic", "gemini", "openai" }));
    }

    [Test]
    public void ADeferredAdapter_IsWhatTheSameFileCompiledAtLoadWouldBe()
    {
        var deferred = new LlmCatalogBuilder().AddBuiltInAdapters().Build();

        // A signer that replaces a built-in one makes the builder compile the shipped files at load (see the next test).
        var atLoad = new LlmCatalogBuilder().AddBuiltInAdapters().AddSigner(new NamedSigner("jwt_hs256", "apikey", "ttl", "header", "prefix")).Build();
        Assert.That(Compiled(atLoad), Is.EquivalentTo(atLoad.Adapters));

        foreach (var adapter in deferred.Adapters)
        {
            Assert.That(JsonSerializer.Serialize(deferred.Describe(adapter)), Is.EqualTo(JsonSerializer.Serialize(atLoad.Describe(adapter))), adapter);
        }

        Assert.That(deferred.Describe("openai")[0].Source, Does.StartWith("(built-in) openai.json, line "));
    }

    [Test]
    public void AConverterOrSignerReplacingABuiltInOne_HasTheShippedFilesCompiledAtLoad()
    {
        // Compiling a shipped file then depends on what the user gave, so its problems must surface at load: here a
        // replacement aws_sigv4 that lacks the parameters bedrock.json gives it.
        var e = Assert.Throws<LlmDefinitionException>(() => new LlmCatalogBuilder().AddBuiltInAdapters().AddSigner(new NamedSigner("aws_sigv4", "region")).Build())!;
        Assert.That(e.Message, Does.Contain("(built-in) bedrock.json"));

        var withConverter = new LlmCatalogBuilder().AddBuiltInAdapters().AddConverter("float", value => value).Build();
        Assert.That(Compiled(withConverter), Is.EquivalentTo(withConverter.Adapters));

        // A converter or signer of a new name cannot change a shipped file: they stay deferred.
        var withNew = new LlmCatalogBuilder().AddBuiltInAdapters().AddConverter("my_converter", value => value).AddSigner(new NamedSigner("my_scheme")).Build();
        Assert.That(Compiled(withNew), Is.Empty);
    }

    [TestCase(true)]
    [TestCase(false)]
    public void AUserFileOfAShippedName_ReplacesIt_InEitherOrder(bool builtInsFirst)
    {
        const string Mine = """{ "name": "openai", "only": { "path": "/only" } }""";
        var builder = new LlmCatalogBuilder();
        var catalog = (builtInsFirst ? builder.AddBuiltInAdapters().AddJson(Mine, "my-openai.json") : builder.AddJson(Mine, "my-openai.json").AddBuiltInAdapters()).Build();

        Assert.That(catalog.GetCalls("openai"), Is.EquivalentTo(new[] { "only" }));
        Assert.That(catalog.FindEntry("openai")!.BuiltIn, Is.False);
        Assert.That(catalog.Describe("openai").Single().Source, Does.StartWith("my-openai.json"));
    }

    [Test]
    public void AUsersBrokenFile_IsStillAnErrorAtLoad_BesideDeferredShippedOnes()
    {
        var e = Assert.Throws<LlmDefinitionException>(() => new LlmCatalogBuilder().AddBuiltInAdapters().AddJson("""{ "name": "mine", "chat": { "path": "/chat", "apitype": "nope" } }""", "mine.json").Build())!;
        Assert.That(e.Message, Does.Contain("mine.json").And.Contain("apitype"));
    }

    [Test]
    public void ConcurrentFirstUses_ShareOneCompilation()
    {
        var catalog = new LlmCatalogBuilder().AddBuiltInAdapters().Build();
        const int Threads = 8;
        var plans = new LlmAdapters.Compilation.AdapterPlan[Threads];
        using var start = new Barrier(Threads);
        var threads = Enumerable.Range(0, Threads).Select(i => new Thread(() =>
        {
            start.SignalAndWait();
            plans[i] = catalog.GetAdapter("anthropic");
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        Assert.That(plans, Has.All.Not.Null);
        Assert.That(plans.Distinct().Count(), Is.EqualTo(1), "every thread got the one plan");
        Assert.That(plans[0].Calls.Keys, Does.Contain("chat"));
    }

    [Test]
    public void ShippedPresets_AreReadOnTheFirstUseOfAPresetOrAnAdapterByName()
    {
        // A load parses no JSON: the shipped presets, like the shipped adapters, wait for their first use.
        var catalog = new LlmCatalogBuilder().AddBuiltInAdapters().Build();
        Assert.That(catalog.PresetsRead, Is.False);
        Assert.That(catalog.Adapters, Does.Contain("openai"));
        Assert.That(catalog.Contains("openai"), Is.True);
        Assert.That(catalog.PresetsRead, Is.False);

        var resolved = catalog.ResolveProfile(new LlmProfile { Adapter = "deepseek" });
        Assert.That(catalog.PresetsRead, Is.True);
        Assert.That((resolved.Adapter, resolved.BaseUrl), Is.EqualTo(("openai", "https://api.deepseek.com")));

        // Creating a client names an adapter, which may be a preset: that reads them too.
        var other = new LlmCatalogBuilder().AddBuiltInAdapters().Build();
        using var http = new HttpClient();
        _ = other.CreateClient(new LlmProfile { Adapter = "openai", Variables = { ["apikey"] = "sk-test" } }, http);
        Assert.That(other.PresetsRead, Is.True);
    }

    [Test]
    public void DeferredPresets_AreWhatTheShippedFileReadAtLoadGives()
    {
        var deferred = new LlmCatalogBuilder().AddBuiltInAdapters().Build();
        var atLoad = new LlmCatalogBuilder().AddBuiltInAdapters().AddSigner(new NamedSigner("jwt_hs256", "apikey", "ttl", "header", "prefix")).Build();
        Assert.That(atLoad.PresetsRead, Is.True);

        Assert.That(JsonSerializer.Serialize(deferred.Presets), Is.EqualTo(JsonSerializer.Serialize(atLoad.Presets)));
        Assert.That(deferred.Presets, Has.Count.GreaterThan(20));
        Assert.That(deferred.Presets.First(p => p.Name == "groq").Source, Does.StartWith("(built-in) presets.json, line "));
    }

    [TestCase(true)]
    [TestCase(false)]
    public void AUsersPresetOfAShippedName_ReplacesIt_InEitherOrder(bool builtInsFirst)
    {
        const string Mine = """{ "presets": { "groq": { "adapter": "openai", "base_url": "https://groq.example/v1" } } }""";
        var builder = new LlmCatalogBuilder();
        var catalog = (builtInsFirst ? builder.AddBuiltInAdapters().AddJson(Mine, "my.presets.json") : builder.AddJson(Mine, "my.presets.json").AddBuiltInAdapters()).Build();

        Assert.That(catalog.ResolveProfile(new LlmProfile { Adapter = "groq" }).BaseUrl, Is.EqualTo("https://groq.example/v1"));
        Assert.That(catalog.Presets.Single(p => p.Name == "groq").Source, Does.StartWith("my.presets.json"));
        Assert.That(catalog.Presets.Select(p => p.Name), Does.Contain("deepseek"), "the other shipped presets stay");
    }

    [TestCase(true)]
    [TestCase(false)]
    public void AUsersAdapterOfAShippedPresetsName_ReplacesThePreset_DeferredOrAtLoad(bool deferred)
    {
        // The user cannot rename a shipped preset, and one added in a later version must not break a file that loaded
        // before: the user's adapter wins, as the user's own preset of that name would.
        const string Mine = """{ "name": "deepseek", "only": { "path": "/only" } }""";
        var builder = new LlmCatalogBuilder().AddBuiltInAdapters().AddJson(Mine, "deepseek.json");
        var catalog = (deferred ? builder : builder.AddSigner(new NamedSigner("jwt_hs256", "apikey", "ttl", "header", "prefix"))).Build();

        Assert.That(catalog.GetCalls("deepseek"), Is.EquivalentTo(new[] { "only" }));
        Assert.That(catalog.ResolveProfile(new LlmProfile { Adapter = "deepseek" }).Adapter, Is.EqualTo("deepseek"));
        Assert.That(catalog.Presets.Select(p => p.Name), Does.Not.Contain("deepseek").And.Contain("groq"));
        Assert.That(catalog.Problems, Is.Empty);
    }

    [TestCase(true)]
    [TestCase(false)]
    public void AUsersPresetLeftOutForItsProblem_KeepsTheShippedOneOfItsNameOut_DeferredOrAtLoad(bool deferred)
    {
        // The user's preset (its adapter misspelt) named the user's own host: falling back to the shipped preset would
        // send the profile, and its key, to another host.
        const string Mine = """{ "presets": { "groq": { "adapter": "opneai", "base_url": "https://groq-proxy.example/v1" } } }""";
        var builder = new LlmCatalogBuilder().AddBuiltInAdapters().AddJson(Mine, "my.presets.json").SkipInvalidFiles();
        var catalog = (deferred ? builder : builder.AddSigner(new NamedSigner("jwt_hs256", "apikey", "ttl", "header", "prefix"))).Build();

        Assert.That(catalog.Problems.Single().Message, Does.Contain("'opneai'"));
        Assert.That(catalog.Presets.Select(p => p.Name), Does.Not.Contain("groq").And.Contain("deepseek"));
        var resolved = catalog.ResolveProfile(new LlmProfile { Adapter = "groq" });
        Assert.That((resolved.Adapter, resolved.BaseUrl), Is.EqualTo(("groq", (string?)null)));
    }

    [Test]
    public void AUsersPresetProblem_IsStillAnErrorAtLoad_BesideDeferredShippedPresets()
    {
        var e = Assert.Throws<LlmDefinitionException>(() => new LlmCatalogBuilder().AddBuiltInAdapters().AddJson("""{ "presets": { "mine": { "adapter": "opneai" } } }""", "my.presets.json").Build())!;
        Assert.That(e.Message, Does.Contain("my.presets.json").And.Contain("did you mean 'openai'?"));
    }

    [Test]
    public void ConcurrentFirstUsesOfPresets_AllSeeThemWhole()
    {
        var catalog = new LlmCatalogBuilder().AddBuiltInAdapters().Build();
        const int Threads = 8;
        var resolved = new LlmProfile[Threads];
        var names = new string[Threads][];
        using var start = new Barrier(Threads);
        var threads = Enumerable.Range(0, Threads).Select(i => new Thread(() =>
        {
            start.SignalAndWait();
            resolved[i] = catalog.ResolveProfile(new LlmProfile { Adapter = "groq" });
            names[i] = [.. catalog.Presets.Select(p => p.Name)];
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        Assert.That(resolved.Select(p => (p.Adapter, p.BaseUrl)).Distinct().Single(), Is.EqualTo(("openai", "https://api.groq.com/openai/v1")));
        Assert.That(names.Select(n => string.Join(",", n)).Distinct().Count(), Is.EqualTo(1));
        Assert.That(names[0], Has.Length.EqualTo(new LlmCatalogBuilder().AddBuiltInAdapters().AddSigner(new NamedSigner("jwt_hs256", "apikey", "ttl", "header", "prefix")).Build().Presets.Count));
    }

    private static string[] Compiled(LlmCatalog catalog)
        => [.. catalog.Adapters.Where(a => catalog.FindEntry(a)!.IsCompiled).Order(StringComparer.Ordinal)];

    private sealed class NamedSigner(string name, params string[] parameters) : ILlmRequestSigner
    {
        public string Name => name;

        public IReadOnlyCollection<string> Parameters => parameters;

        public ValueTask SignAsync(LlmSigningContext context, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }
}
