namespace LlmAdapters.DependencyInjection;

/// <summary>Builds the application's catalog once, on first use, from the options' adapter paths and the registered converters.</summary>
/// <remarks>Definition files are read once: changing AdapterPaths needs a restart; profiles reload with the configuration.</remarks>
internal sealed class LlmCatalogProvider(IEnumerable<ILlmConverter> converters, Microsoft.Extensions.Logging.ILoggerFactory? loggerFactory = null, IEnumerable<ILlmRequestSigner>? signers = null)
{
    private readonly object _gate = new();
    private LlmCatalog? _catalog;

    /// <summary>The catalog, built from <paramref name="current"/> the first time. Options are passed in, not injected: the options validator needs the catalog.</summary>
    public LlmCatalog GetCatalog(LlmAdaptersOptions current)
    {
        if (_catalog is { } built)
        {
            return built;
        }

        lock (_gate)
        {
            if (_catalog is null)
            {
                _catalog = Build(current, converters, signers ?? []);
                if (_catalog.Problems.Count > 0 && loggerFactory?.CreateLogger(Observability.LlmTelemetry.Name) is { } logger)
                {
                    foreach (var problem in _catalog.Problems)
                    {
                        Observability.Log.DefinitionSkipped(logger, problem.ToString());
                    }
                }
            }

            return _catalog;
        }
    }

    private static LlmCatalog Build(LlmAdaptersOptions options, IEnumerable<ILlmConverter> converters, IEnumerable<ILlmRequestSigner> signers)
    {
        var builder = new LlmCatalogBuilder().SkipInvalidFiles(options.SkipInvalidAdapters);
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

        foreach (var signer in signers)
        {
            builder.AddSigner(signer);
        }

        return builder.Build();
    }
}
