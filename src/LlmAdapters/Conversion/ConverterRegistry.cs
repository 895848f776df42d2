namespace LlmAdapters.Conversion;

/// <summary>The converters a catalog knows, by name: the built-ins, then the user's (which may replace a built-in).</summary>
/// <remarks>
/// Holds only the user's converters (and a file's own); a name none of them has is looked up among the built-ins. Plain
/// dictionaries: a frozen one cost a cold start milliseconds to create, for a few hundred lookups at load.
/// </remarks>
internal sealed class ConverterRegistry
{
    private readonly Dictionary<string, ILlmConverter> _overrides;

    public ConverterRegistry(IEnumerable<ILlmConverter> userConverters)
        : this(new Dictionary<string, ILlmConverter>(StringComparer.Ordinal), userConverters)
    {
    }

    private ConverterRegistry(Dictionary<string, ILlmConverter> overrides, IEnumerable<ILlmConverter> more)
    {
        foreach (var c in more)
        {
            overrides[c.Name] = c;
        }

        _overrides = overrides;
    }

    public static ConverterRegistry BuiltInOnly { get; } = new([]);

    /// <summary>This registry plus <paramref name="local"/> (a definition file's own converters), which replace converters of the same name.</summary>
    public ConverterRegistry With(IEnumerable<ILlmConverter> local) => new(new Dictionary<string, ILlmConverter>(_overrides, StringComparer.Ordinal), local);

    /// <summary>The built-ins' names, then the others' (in the order they were added).</summary>
    public IEnumerable<string> Names => BuiltInConverters.Names.Concat(_overrides.Keys.Where(n => !BuiltInConverters.Contains(n)));

    public bool TryGet(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ILlmConverter? converter)
        => _overrides.TryGetValue(name, out converter) || BuiltInConverters.TryGet(name, out converter);
}
