namespace LlmAdapters.Cli;

/// <summary>Builds a catalog from files and folders the user named, with or without the shipped adapters, and with the converters of <c>--converters</c> assemblies.</summary>
internal static class CatalogLoader
{
    /// <param name="fullPaths">Absolute paths: a <c>.json</c> file is loaded as a file, anything else as a folder.</param>
    /// <param name="includeBuiltIns">Whether the shipped adapters are in the catalog (files of the same name replace them).</param>
    /// <param name="converters">Converters the files may name, besides the built-in ones and those the files declare.</param>
    /// <exception cref="LlmDefinitionException">A file is invalid or missing.</exception>
    public static LlmCatalog Load(IEnumerable<string> fullPaths, bool includeBuiltIns, IReadOnlyList<ILlmConverter> converters)
    {
        ArgumentNullException.ThrowIfNull(converters);
        var builder = new LlmCatalogBuilder();
        if (includeBuiltIns)
        {
            builder.AddBuiltInAdapters();
        }

        foreach (var converter in converters)
        {
            builder.AddConverter(converter);
        }

        foreach (var path in fullPaths)
        {
            builder.AddPath(path);
        }

        return builder.Build();
    }
}
