using Microsoft.Extensions.Options;

namespace LlmAdapters.DependencyInjection;

/// <summary>Builds the application's catalog once, on first use, from the options' adapter paths and the registered converters.</summary>
internal sealed class LlmCatalogProvider(IOptionsMonitor<LlmAdaptersOptions> options, IEnumerable<ILlmConverter> converters)
{
    private readonly Lazy<LlmCatalog> _catalog = new(() => Build(options.CurrentValue, converters), LazyThreadSafetyMode.ExecutionAndPublication);

    public LlmCatalog Catalog => _catalog.Value;

    private static LlmCatalog Build(LlmAdaptersOptions options, IEnumerable<ILlmConverter> converters)
    {
        var builder = new LlmCatalogBuilder();
        if (options.IncludeBuiltInAdapters)
        {
            builder.AddBuiltInAdapters();
        }

        foreach (var path in options.AdapterPaths)
        {
            builder.AddPath(path);
        }

        foreach (var converter in converters)
        {
            builder.AddConverter(converter);
        }

        return builder.Build();
    }
}
