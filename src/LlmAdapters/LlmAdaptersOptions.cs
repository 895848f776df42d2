namespace LlmAdapters;

/// <summary>Options for <c>AddLlmAdapters</c>: where definition files are, and the named profiles.</summary>
/// <remarks>Bound from configuration (section <c>LlmAdapters</c> by convention). Profiles reload with the configuration: a client created after a change uses the new values.</remarks>
public sealed class LlmAdaptersOptions
{
    /// <summary>Folders or files of definition files. Relative paths are resolved against the application's base directory (where copied and published files are), then the current directory.</summary>
    public List<string> AdapterPaths { get; set; } = [];

    /// <summary>Whether the adapters shipped inside the package are available (files from <see cref="AdapterPaths"/> with the same name replace them). True by default.</summary>
    public bool IncludeBuiltInAdapters { get; set; } = true;

    /// <summary>Whether a broken file in <see cref="AdapterPaths"/> is left out (its problems logged as warnings) while the others load, instead of failing the start. False by default.</summary>
    public bool SkipInvalidAdapters { get; set; }

    /// <summary>Profiles by name (case-insensitive), as passed to <see cref="ILlmClientFactory.CreateClient(string)"/>.</summary>
    public Dictionary<string, LlmProfile> Profiles { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}
