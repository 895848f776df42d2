using BenchmarkDotNet.Attributes;
using LlmAdapters.Benchmarks.Support;

namespace LlmAdapters.Benchmarks.Micro;

/// <summary>Loading, validating and compiling every shipped adapter (warm: after the first build in the process).</summary>
[MemoryDiagnoser]
public class PlanCompilation
{
    private string _adapters = string.Empty;

    [GlobalSetup]
    public void Setup()
    {
        _adapters = Repo.AdaptersDirectory;
        var catalog = new LlmCatalogBuilder().AddDirectory(_adapters).Build();
        if (!catalog.Contains("openai"))
        {
            throw new InvalidOperationException($"No openai adapter was loaded from {_adapters}.");
        }
    }

    /// <summary>The files of adapters/ read from disk, as AdapterPaths does.</summary>
    [Benchmark(Baseline = true)]
    public LlmCatalog AddDirectory_adapters() => new LlmCatalogBuilder().AddDirectory(_adapters).Build();

    /// <summary>The same files from the assembly's embedded resources, as LlmCatalog.BuiltIn does.</summary>
    [Benchmark]
    public LlmCatalog AddBuiltInAdapters() => new LlmCatalogBuilder().AddBuiltInAdapters().Build();
}
