using System.Text.Json;
using LlmAdapters.Definitions;
using LlmAdapters.Tests.TestSupport;

namespace LlmAdapters.Tests.Definitions;

/// <summary>
/// The shipped adapters are read and compiled on their first use, so that a load pays only for the adapters an
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

    private static string[] Compiled(LlmCatalog catalog)
        => [.. catalog.Adapters.Where(a => catalog.FindEntry(a)!.IsCompiled).Order(StringComparer.Ordinal)];

    private sealed class NamedSigner(string name, params string[] parameters) : ILlmRequestSigner
    {
        public string Name => name;

        public IReadOnlyCollection<string> Parameters => parameters;

        public ValueTask SignAsync(LlmSigningContext context, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }
}
